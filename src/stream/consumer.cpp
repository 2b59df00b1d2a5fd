#include "stream/consumer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>

#include "analysis/partial_result.hpp"
#include "reassembly/packet_dissector.hpp"
#include "stream/event_record.hpp"
#include "stream/frame_io.hpp"

namespace pa::stream {

namespace {

// A lane's packets never need reassembly (the provider's dissector took those), so its
// dissector holds nothing from one batch to the next and each batch's delta is final.
struct Lane {
  explicit Lane(const analysis::AnalysisOptions& options) : analyzer(options) {}
  reassembly::PacketDissector dissector;
  analysis::PartialAnalyzer analyzer;
};

}  // namespace

asio::awaitable<std::string> run_consumer(asio::ip::tcp::socket& socket, std::uint32_t index,
                                          const TestHooks& hooks) {
  std::vector<std::uint8_t> buffer;
  RecordScratch scratch;
  FrameRead frame = co_await read_frame(socket, buffer);
  if (!frame.ok) co_return "no hello from the provider: " + frame.problem;
  if (frame.type != FrameType::hello) co_return "the provider did not start with a hello";
  const auto hello = decode_hello(frame.body);
  if (!hello) co_return "the provider's hello does not decode";
  if (hello->version != protocol_version) {
    auto reply = encode_hello_reply(protocol_version);
    co_await asio::async_write(socket, asio::buffer(reply), use_tuple);
    co_return fmt::format("the provider speaks protocol version {}, this program version {}",
                          hello->version, protocol_version);
  }
  {
    auto reply = encode_hello_reply(protocol_version);
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(reply), use_tuple);
    if (error) co_return "cannot answer the hello: " + error.message();
  }
  const analysis::AnalysisOptions options = hello->options;

  std::unordered_map<std::uint32_t, std::unique_ptr<Lane>> lanes;
  std::mt19937_64 random(hooks.seed * 7919 + index);
  asio::steady_timer delay(socket.get_executor());
  std::uint64_t batches = 0;
  const auto kill = hooks.kill_after.find(index);

  const auto acknowledge = [&](std::uint32_t lane_id, Lane& lane, std::uint64_t seq,
                               std::uint8_t flags) -> asio::awaitable<std::string> {
    Ack ack;
    ack.lane = lane_id;
    ack.seq = seq;
    ack.flags = flags;
    ack.delta = lane.analyzer.take();
    auto bytes = encode_ack(ack);
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
    if (error) co_return "cannot send an acknowledgement: " + error.message();
    co_return std::string();
  };

  for (;;) {
    frame = co_await read_frame(socket, buffer);
    if (!frame.ok) co_return "connection to the provider lost: " + frame.problem;
    switch (frame.type) {
      case FrameType::open_lane: {
        const auto lane = decode_lane_frame(frame.body);
        if (!lane) co_return "a lane frame does not decode";
        lanes[*lane] = std::make_unique<Lane>(options);
        break;
      }
      case FrameType::batch: {
        ++batches;
        if (kill != hooks.kill_after.end() && batches >= kill->second) {
          socket.close();
          co_return fmt::format("closed by the test hook at batch {}", batches);
        }
        if (hooks.max_delay_us != 0) {
          delay.expires_after(std::chrono::microseconds(random() % (hooks.max_delay_us + 1)));
          co_await delay.async_wait(use_tuple);
        }
        BatchReader batch(frame.body, scratch);
        const auto found = lanes.find(batch.lane());
        if (batch.failed() || found == lanes.end()) co_return "a batch for no open lane";
        Lane& lane = *found->second;
        BatchEntry entry;
        while (batch.next(entry)) {
          if (!entry.is_events) {
            lane.dissector.dissect(entry.record, entry.packet, lane.analyzer);
          } else if (!replay_events(entry.event_record, entry.packet, lane.analyzer)) {
            co_return "an events record does not decode";
          }
        }
        if (batch.failed()) co_return "a batch does not decode";
        // Every batch is acknowledged at once, with its delta; the provider keeps the batches
        // not acknowledged yet, to send them elsewhere should this connection die.
        std::string problem = co_await acknowledge(batch.lane(), lane, batch.seq(), 0);
        if (!problem.empty()) co_return problem;
        break;
      }
      case FrameType::finish_lane: {
        const auto finish = decode_finish_lane(frame.body);
        if (!finish) co_return "a finish frame does not decode";
        const auto found = lanes.find(finish->lane);
        if (found == lanes.end()) co_return "a finish for no open lane";
        Lane& lane = *found->second;
        lane.dissector.finish(finish->last, lane.analyzer);
        std::string problem = co_await acknowledge(finish->lane, lane, finish->seq, Ack::final);
        if (!problem.empty()) co_return problem;
        lanes.erase(found);
        break;
      }
      case FrameType::bye: {
        std::error_code ignored;
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        co_return std::string();
      }
      default:
        co_return fmt::format("unexpected frame type {} from the provider",
                              static_cast<int>(frame.type));
    }
  }
}

}  // namespace pa::stream
