#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/analyzer.hpp"
#include "base/byte_reader.hpp"
#include "stream/frame_auth.hpp"
#include "stream/frame_codec.hpp"

namespace pa::stream {

// What the consumer does with one frame from the provider.
struct ConsumerStep {
  std::optional<std::vector<std::uint8_t>> reply;  // a frame to send back
  std::string problem;                             // not empty: the connection ends, for this
  bool bye = false;                                // the run is over
};

// A consumer connection's side of the protocol, without its socket (docs/stream-protocol.md):
// checks the provider's hello, answers it, keeps a PacketDissector and a PartialAnalyzer per
// lane the provider opens and acknowledges every batch with its result delta. The provider is
// a peer like any other: every count it announces is bounded here too (lanes by the hello, at
// most max_lanes; frames by max_frame_bytes; records by max_record_bytes_on_wire), and no
// frame it sends makes this throw.
class ConsumerSession {
 public:
  // `secret` empty: this consumer authenticates nothing and joins only a provider that does
  // not ask it to. `nonce` is this connection's (random_nonce()).
  ConsumerSession(std::string secret, const Nonce& nonce);
  ~ConsumerSession();
  ConsumerSession(const ConsumerSession&) = delete;
  ConsumerSession& operator=(const ConsumerSession&) = delete;

  // The provider's first frame, which must be its hello.
  ConsumerStep answer_hello(FrameType type, base::Bytes body);
  // Every later frame.
  ConsumerStep next(FrameType type, base::Bytes body);

  [[nodiscard]] std::size_t open_lanes() const noexcept { return lanes_.size(); }
  [[nodiscard]] std::uint32_t announced_lanes() const noexcept { return announced_lanes_; }

 private:
  struct Lane;

  ConsumerStep acknowledge(std::uint32_t lane_id, Lane& lane, std::uint64_t seq,
                           std::uint8_t flags);

  ChannelAuth auth_;
  Nonce nonce_;
  bool started_ = false;
  analysis::AnalysisOptions options_;
  std::uint32_t announced_lanes_ = 0;
  std::uint64_t acks_sent_ = 0;
  std::unordered_map<std::uint32_t, std::unique_ptr<Lane>> lanes_;
  RecordScratch scratch_;
};

}  // namespace pa::stream
