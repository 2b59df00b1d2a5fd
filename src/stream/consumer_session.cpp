#include "stream/consumer_session.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "analysis/partial_result.hpp"
#include "reassembly/packet_dissector.hpp"
#include "stream/event_record.hpp"

namespace pa::stream {

// A lane's packets never need reassembly (the provider's dissector took those), so its
// dissector holds nothing from one batch to the next and each batch's delta is final.
struct ConsumerSession::Lane {
  explicit Lane(const analysis::AnalysisOptions& options) : analyzer(options) {}
  reassembly::PacketDissector dissector;
  analysis::PartialAnalyzer analyzer;
};

ConsumerSession::ConsumerSession(std::string secret, const Nonce& nonce)
    : auth_(std::move(secret)), nonce_(nonce) {}

ConsumerSession::~ConsumerSession() = default;

ConsumerStep ConsumerSession::answer_hello(FrameType type, base::Bytes body) {
  ConsumerStep step;
  if (type != FrameType::hello) {
    step.problem = "the provider did not start with a hello";
    return step;
  }
  const auto hello = decode_hello(body);
  if (!hello) {
    step.problem = "the provider's hello does not decode";
    return step;
  }
  HelloReply reply;
  if (hello->version != protocol_version) {
    step.reply = encode_hello_reply(reply);
    step.problem = fmt::format("the provider speaks protocol version {}, this program version {}",
                               hello->version, protocol_version);
    return step;
  }
  if (hello->authenticated && !auth_.has_secret()) {
    step.problem =
        "the provider asks for a shared secret: give the one it has with --secret-file FILE or "
        "PA_STREAM_SECRET";
    return step;
  }
  if (!hello->authenticated && auth_.has_secret()) {
    step.problem =
        "the provider has no shared secret, and this consumer joins only a provider that proves "
        "it has the same secret";
    return step;
  }
  if (auth_.has_secret() && !ChannelAuth::same(hello->mac, auth_.hello_mac(mac_fields(body)))) {
    step.problem = "the provider's hello does not verify: it has another secret";
    return step;
  }
  try {
    analysis::Analyzer check(hello->options);
  } catch (const std::invalid_argument&) {
    step.problem = "the provider's hello names a watch host that is not a domain name";
    return step;
  }
  options_ = hello->options;
  announced_lanes_ = hello->lanes;
  reply.nonce = nonce_;
  reply.mac = auth_.reply_mac(hello->nonce, reply_mac_fields(reply));
  auth_.start_session(hello->nonce, nonce_);
  started_ = true;
  step.reply = encode_hello_reply(reply);
  return step;
}

ConsumerStep ConsumerSession::acknowledge(std::uint32_t lane_id, Lane& lane, std::uint64_t seq,
                                          std::uint8_t flags) {
  Ack ack;
  ack.lane = lane_id;
  ack.seq = seq;
  ack.flags = flags;
  ack.delta = lane.analyzer.take();
  ConsumerStep step;
  step.reply = encode_ack(ack, auth_, acks_sent_++);
  return step;
}

ConsumerStep ConsumerSession::next(FrameType type, base::Bytes body) {
  ConsumerStep step;
  if (!started_) {
    step.problem = "a frame before the hello";
    return step;
  }
  switch (type) {
    case FrameType::open_lane: {
      const auto lane = decode_lane_frame(body);
      if (!lane) {
        step.problem = "a lane frame does not decode";
      } else if (*lane >= announced_lanes_) {
        // Lanes are numbered below the count the hello announced, so a provider cannot make
        // this consumer hold more lanes than the run has.
        step.problem = fmt::format("lane {} opened, but the hello announced {} lanes", *lane,
                                   announced_lanes_);
      } else {
        lanes_[*lane] = std::make_unique<Lane>(options_);
      }
      return step;
    }
    case FrameType::batch: {
      BatchReader batch(body, scratch_);
      const auto found = lanes_.find(batch.lane());
      if (batch.failed() || found == lanes_.end()) {
        step.problem = "a batch for no open lane";
        return step;
      }
      Lane& lane = *found->second;
      BatchEntry entry;
      while (batch.next(entry)) {
        if (!entry.is_events) {
          lane.dissector.dissect(entry.record, entry.packet, lane.analyzer);
        } else if (!replay_events(entry.event_record, entry.packet, lane.analyzer)) {
          step.problem = "an events record does not decode";
          return step;
        }
      }
      if (batch.failed()) {
        step.problem = "a batch does not decode";
        return step;
      }
      // Every batch is acknowledged at once, with its delta; the provider keeps the batches
      // not acknowledged yet, to send them elsewhere should this connection die.
      return acknowledge(batch.lane(), lane, batch.seq(), 0);
    }
    case FrameType::finish_lane: {
      const auto finish = decode_finish_lane(body);
      if (!finish) {
        step.problem = "a finish frame does not decode";
        return step;
      }
      const auto found = lanes_.find(finish->lane);
      if (found == lanes_.end()) {
        step.problem = "a finish for no open lane";
        return step;
      }
      Lane& lane = *found->second;
      lane.dissector.finish(finish->last, lane.analyzer);
      step = acknowledge(finish->lane, lane, finish->seq, Ack::final);
      lanes_.erase(found);
      return step;
    }
    case FrameType::bye:
      step.bye = true;
      return step;
    default:
      step.problem =
          fmt::format("unexpected frame type {} from the provider", static_cast<int>(type));
      return step;
  }
}

}  // namespace pa::stream
