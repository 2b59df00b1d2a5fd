// The provider against peers that do not follow the protocol, each played by a raw socket,
// beside a well-behaved consumer that must still get the run to the exact answer.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <asio.hpp>
#include <cstdint>
#include <future>
#include <thread>
#include <utility>

#include "capture/capture_merger.hpp"
#include "reassembly/packet_dissector.hpp"
#include "stream/consumer_session.hpp"
#include "stream/frame_auth.hpp"
#include "stream/frame_codec.hpp"
#include "stream/stream_mode.hpp"

namespace pa::stream {
namespace {

using asio::ip::tcp;

const std::string small_capture =
    std::string(PA_SHARED_DIR) + "/corpus/real/chrissanders__http_google.pcapng";
const std::string large_capture = std::string(PA_SHARED_DIR) + "/corpus/real/pcpp__example2.pcap";

struct Direct {
  analysis::AnalysisResult result;
  std::uint64_t packets = 0;
  std::optional<report::RecordTimeSpan> time_span;
};

// The in-process analysis of the capture, or of its first `stop_after` packets as it stands
// after them (reports during a capture do not finish reassembly).
Direct analyze_directly(const std::string& path, std::uint64_t stop_after = UINT64_MAX) {
  analysis::Analyzer analyzer{analysis::AnalysisOptions{}};
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  readers.push_back(capture::CaptureReader::open(path));
  capture::CaptureMerger merger(std::move(readers));
  reassembly::PacketDissector dissector;
  capture::PacketRecord record;
  decode::PacketContext context;
  std::optional<report::RecordTimeSpan> time_span;
  while (context.packet_number < stop_after && merger.next(record)) {
    ++context.packet_number;
    context.timestamp_ns = record.timestamp_ns;
    report::note_record_time(time_span, record.timestamp_ns);
    dissector.dissect(record, context, analyzer);
  }
  if (stop_after == UINT64_MAX) dissector.finish(context, analyzer);
  return {analyzer.result(), context.packet_number, time_span};
}

void expect_same_result(const analysis::AnalysisResult& streamed,
                        const analysis::AnalysisResult& direct) {
  EXPECT_EQ(streamed.source_ports, direct.source_ports);
  ASSERT_EQ(streamed.query_counts.size(), direct.query_counts.size());
  for (std::size_t i = 0; i < direct.query_counts.size(); ++i) {
    EXPECT_EQ(streamed.query_counts[i].name, direct.query_counts[i].name);
    EXPECT_EQ(streamed.query_counts[i].count, direct.query_counts[i].count);
  }
  ASSERT_EQ(streamed.watched_addresses.size(), direct.watched_addresses.size());
  for (std::size_t i = 0; i < direct.watched_addresses.size(); ++i) {
    EXPECT_EQ(streamed.watched_addresses[i].address, direct.watched_addresses[i].address);
    EXPECT_EQ(streamed.watched_addresses[i].packet_number,
              direct.watched_addresses[i].packet_number);
  }
  EXPECT_EQ(streamed.drops, direct.drops);
  EXPECT_EQ(streamed.skipped_packets, direct.skipped_packets);
  EXPECT_EQ(streamed.dns_messages, direct.dns_messages);
}

void expect_same(const StreamOutcome& streamed, const Direct& direct) {
  EXPECT_EQ(streamed.packets_read, direct.packets);
  EXPECT_EQ(streamed.time_span, direct.time_span);
  expect_same_result(streamed.result, direct.result);
}

StreamSettings settings_for(std::uint32_t connections) {
  StreamSettings settings;
  settings.connections = connections;
  return settings;
}

// A provider on a free loopback port, run in its own thread.
class ProviderRun {
 public:
  ProviderRun(const std::string& path, StreamSettings settings) : settings_(std::move(settings)) {
    settings_.port = 0;
    settings_.in_process_consumers = false;
    std::promise<std::uint16_t> port;
    auto port_known = port.get_future();
    thread_ = std::thread([this, path, port = std::move(port)]() mutable {
      bool told = false;
      try {
        std::vector<std::unique_ptr<capture::CaptureReader>> readers;
        readers.push_back(capture::CaptureReader::open(path));
        outcome_ = provide(
            merged_files(std::move(readers)), analysis::AnalysisOptions{}, settings_,
            [this](std::string_view warning) { warnings_ += std::string(warning) + "\n"; },
            [&](std::string_view endpoint) {
              const auto colon = endpoint.rfind(':');
              port.set_value(
                  static_cast<std::uint16_t>(std::stoi(std::string(endpoint.substr(colon + 1)))));
              told = true;
            });
      } catch (const std::exception& error) {
        error_ = error.what();
        if (!told) port.set_value(0);
      }
    });
    port_ = port_known.get();
  }
  ~ProviderRun() {
    if (thread_.joinable()) thread_.join();
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Waits for the run to end.
  void join() { thread_.join(); }
  [[nodiscard]] const StreamOutcome& outcome() const { return outcome_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::string& warnings() const { return warnings_; }

 private:
  StreamSettings settings_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  StreamOutcome outcome_;
  std::string error_;
  std::string warnings_;
};

// One well-behaved consumer process's worth of connections, in a thread.
std::thread consume_in_thread(std::uint16_t port, std::uint32_t connections,
                              const std::string& secret = "") {
  return std::thread([port, connections, secret] {
    try {
      consume("127.0.0.1", port, connections, TestHooks{}, secret, [](std::string_view) {});
    } catch (const StreamError&) {
      // The run failing is what some tests expect; they check the provider's side.
    }
  });
}

struct RawPeer {
  explicit RawPeer(std::uint16_t port) : socket(io) {
    socket.connect({asio::ip::address_v4::loopback(), port});
  }
  // Reads one frame whole: its type and body.
  std::pair<FrameType, std::vector<std::uint8_t>> read() {
    std::uint8_t prefix[4];
    asio::read(socket, asio::buffer(prefix));
    const std::uint32_t length = (std::uint32_t{prefix[0]} << 24) |
                                 (std::uint32_t{prefix[1]} << 16) |
                                 (std::uint32_t{prefix[2]} << 8) | prefix[3];
    std::vector<std::uint8_t> body(length);
    asio::read(socket, asio::buffer(body));
    const auto type = static_cast<FrameType>(body[0]);
    body.erase(body.begin());
    return {type, body};
  }
  void write(const std::vector<std::uint8_t>& bytes) { asio::write(socket, asio::buffer(bytes)); }
  void handshake() {
    EXPECT_EQ(read().first, FrameType::hello);
    write(encode_hello_reply(protocol_version));
  }
  // Reads until the first batch and returns its lane and sequence number.
  std::pair<std::uint32_t, std::uint64_t> read_batch() {
    for (;;) {
      auto [type, body] = read();
      if (type != FrameType::batch) continue;
      RecordScratch scratch;
      BatchReader batch(body, scratch);
      return {batch.lane(), batch.seq()};
    }
  }

  asio::io_context io;
  tcp::socket socket;
};

TEST(Provider, DropsAPeerThatSendsGarbageAndServesTheNextOne) {
  ProviderRun run(small_capture, settings_for(1));
  {
    RawPeer peer(run.port());
    peer.write({'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '0', '\r', '\n'});
  }
  consume_in_thread(run.port(), 1).join();
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("dropped the peer"), std::string::npos) << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(Provider, DropsAPeerThatAnnouncesAFourGibibyteFrame) {
  ProviderRun run(small_capture, settings_for(1));
  {
    RawPeer peer(run.port());
    peer.write({0xff, 0xff, 0xff, 0xff, 0x08});
    // The provider closes: reading ends, it does not wait for four gibibytes.
    std::error_code error;
    std::vector<std::uint8_t> sink(1 << 16);
    while (!error) peer.socket.read_some(asio::buffer(sink), error);
  }
  consume_in_thread(run.port(), 1).join();
  run.join();
  EXPECT_NE(run.warnings().find("exceeds the limit"), std::string::npos) << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(Provider, DropsAPeerOfAnotherProtocolVersion) {
  ProviderRun run(small_capture, settings_for(1));
  {
    RawPeer peer(run.port());
    EXPECT_EQ(peer.read().first, FrameType::hello);
    peer.write(encode_hello_reply(protocol_version + 1));
  }
  consume_in_thread(run.port(), 1).join();
  run.join();
  EXPECT_NE(run.warnings().find(fmt::format("protocol version {}, this program speaks version {}",
                                            protocol_version + 1, protocol_version)),
            std::string::npos)
      << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(Provider, ResendsTheBatchesOfAPeerThatDisconnectsMidFrame) {
  ProviderRun run(small_capture, settings_for(2));
  std::thread consumer;
  {
    RawPeer peer(run.port());
    peer.handshake();
    consumer = consume_in_thread(run.port(), 1);
    peer.read_batch();
    peer.write({0x00, 0x00, 0x01});  // three bytes of a length prefix, then gone
  }
  consumer.join();
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("middle of a frame"), std::string::npos) << run.warnings();
  EXPECT_NE(run.warnings().find("went to connection"), std::string::npos) << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(Provider, GivesTheLaneOfAPeerThatLeavesBeforeTheStartToTheNextConnection) {
  ProviderRun run(small_capture, settings_for(2));
  {
    RawPeer peer(run.port());
    peer.handshake();
  }
  consume_in_thread(run.port(), 2).join();
  run.join();
  EXPECT_EQ(run.error(), "");
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(Provider, DropsAPeerThatNeverReadsAndFinishesWithoutIt) {
  StreamSettings settings = settings_for(2);
  settings.hooks.stall_ms = 300;
  settings.hooks.batch_bytes = 4096;
  ProviderRun run(large_capture, settings);
  RawPeer peer(run.port());
  peer.handshake();
  consume_in_thread(run.port(), 1).join();  // the peer reads nothing meanwhile
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("no acknowledgement for 300 ms"), std::string::npos)
      << run.warnings();
  expect_same(run.outcome(), analyze_directly(large_capture));
}

// A consumer connection that answers as `consume` does, on a schedule the test sets: it holds
// the acknowledgements of its first `held` batches until it has them all, and takes
// `slow_after_idle` over the first batch that comes after it sat idle for 300 ms.
struct ScriptedConsumer {
  std::size_t held = 0;
  std::chrono::milliseconds slow_after_idle{0};
  std::promise<void> joined;
  std::string problem;
  std::uint64_t slow_answers = 0;

  void run(std::uint16_t port) {
    try {
      RawPeer peer(port);
      ConsumerSession session("", random_nonce());
      auto [hello_type, hello] = peer.read();
      peer.write(*session.answer_hello(hello_type, hello).reply);
      joined.set_value();
      std::vector<std::vector<std::uint8_t>> holding;
      auto last_frame = std::chrono::steady_clock::now();
      for (;;) {
        auto [type, body] = peer.read();
        const auto now = std::chrono::steady_clock::now();
        const bool after_idle = now - last_frame > std::chrono::milliseconds(300);
        last_frame = now;
        const ConsumerStep step = session.next(type, body);
        if (!step.problem.empty()) {
          problem = step.problem;
          return;
        }
        if (step.bye) return;
        if (!step.reply) continue;
        if (holding.size() < held) {
          holding.push_back(*step.reply);
          if (holding.size() == held) {
            for (const auto& ack : holding) peer.write(ack);
          }
          continue;
        }
        if (after_idle && slow_after_idle.count() != 0 && slow_answers == 0) {
          ++slow_answers;
          std::this_thread::sleep_for(slow_after_idle);
        }
        peer.write(*step.reply);
      }
    } catch (const std::exception& error) {
      problem = error.what();
    }
  }
};

// Three lanes, windows of 4: the two answering consumers hold their first 4 acknowledgements,
// so all three windows fill and the next batch waits on the silent peer's lane until the stall
// limit drops it. Meanwhile the other two sat idle; the one that does not take the lost lane
// is then given a batch and answers it after 500 ms, well within the 1 s limit. Counting
// that limit from its last acknowledgement, long before, dropped it as stalled too.
TEST(Provider, CountsTheStallLimitFromWhenAnIdleConnectionIsGivenWork) {
  StreamSettings settings = settings_for(3);
  settings.hooks.stall_ms = 1000;
  settings.hooks.batch_bytes = 4096;
  ASSERT_EQ(settings.window, 4u);
  ProviderRun run(large_capture, settings);
  RawPeer silent(run.port());
  silent.handshake();
  ScriptedConsumer adopting;
  adopting.held = settings.window;
  ScriptedConsumer idle;
  idle.held = settings.window;
  idle.slow_after_idle = std::chrono::milliseconds(500);
  std::thread first([&] { adopting.run(run.port()); });
  adopting.joined.get_future().wait();
  std::thread second([&] { idle.run(run.port()); });
  run.join();
  first.join();
  second.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_EQ(adopting.problem, "");
  EXPECT_EQ(idle.problem, "");
  EXPECT_EQ(idle.slow_answers, 1u) << "the consumer never sat idle: the test proves nothing";
  EXPECT_NE(run.warnings().find("connection 0 lost: no acknowledgement for 1000 ms"),
            std::string::npos)
      << run.warnings();
  EXPECT_EQ(run.outcome().health.connections_lost, 1u) << run.warnings();
  expect_same(run.outcome(), analyze_directly(large_capture));
}

TEST(Provider, FailsClearlyWhenEveryConnectionIsLost) {
  ProviderRun run(small_capture, settings_for(1));
  {
    RawPeer peer(run.port());
    peer.handshake();
    peer.read_batch();
  }
  run.join();
  EXPECT_NE(run.error().find("every connection was lost"), std::string::npos) << run.error();
}

// Says idle every `every` packets, as a live capture does on a quiet network.
class IdleEvery final : public PacketSource {
 public:
  IdleEvery(std::unique_ptr<PacketSource> inner, std::uint64_t every, bool& idle_said)
      : inner_(std::move(inner)), every_(every), idle_said_(idle_said) {}
  Event next(capture::PacketRecord& record) override {
    if (since_idle_ == every_) {
      since_idle_ = 0;
      idle_said_ = true;
      return Event::idle;
    }
    ++since_idle_;
    return inner_->next(record);
  }
  [[nodiscard]] std::vector<std::string> problems() const override { return inner_->problems(); }

 private:
  std::unique_ptr<PacketSource> inner_;
  std::uint64_t every_;
  std::uint64_t since_idle_ = 0;
  bool& idle_said_;
};

TEST(Provider, WritesInterimReportsEqualToTheInProcessAnalysisAtTheSamePacket) {
  bool idle_said = false;
  struct Interim {
    std::uint64_t packets;
    analysis::AnalysisResult result;
    std::optional<report::RecordTimeSpan> time_span;
  };
  std::vector<Interim> reports;
  StreamSettings settings = settings_for(3);
  settings.port = 0;
  settings.hooks.max_delay_us = 200;  // consumers slower than the reader: batches wait in flight
  settings.interim =
      InterimReports{[&] { return std::exchange(idle_said, false); },
                     [&](const analysis::AnalysisResult& result, std::uint64_t packets,
                         const std::optional<report::RecordTimeSpan>& time_span) {
                       reports.push_back({packets, result, time_span});
                     }};
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  readers.push_back(capture::CaptureReader::open(large_capture));
  const StreamOutcome outcome = provide(
      std::make_unique<IdleEvery>(merged_files(std::move(readers)), 200, idle_said),
      analysis::AnalysisOptions{}, settings, [](std::string_view) {}, [](std::string_view) {});
  ASSERT_GE(reports.size(), 3u);
  for (const Interim& report : reports) {
    SCOPED_TRACE(fmt::format("report after {} packets", report.packets));
    const Direct direct = analyze_directly(large_capture, report.packets);
    expect_same_result(report.result, direct.result);
    ASSERT_TRUE(report.time_span.has_value());
    EXPECT_EQ(report.time_span, direct.time_span);
  }
  expect_same(outcome, analyze_directly(large_capture));
}

TEST(Provider, SuggestsAFreePortWhenItsPortIsInUse) {
  asio::io_context io;
  tcp::acceptor taken(io, {asio::ip::address_v4::loopback(), 0});
  StreamSettings settings;
  settings.port = taken.local_endpoint().port();
  std::vector<std::unique_ptr<capture::CaptureReader>> readers;
  readers.push_back(capture::CaptureReader::open(small_capture));
  try {
    provide(
        merged_files(std::move(readers)), analysis::AnalysisOptions{}, settings,
        [](std::string_view) {}, [](std::string_view) {});
    FAIL() << "no error";
  } catch (const StreamError& error) {
    EXPECT_NE(std::string(error.what()).find("use -p 0"), std::string::npos) << error.what();
  }
}

const std::string run_secret = "a secret of thirty-two bytes!!!!";

StreamSettings authenticated(std::uint32_t connections) {
  StreamSettings settings = settings_for(connections);
  settings.secret = run_secret;
  return settings;
}

// A peer that does the handshake itself, with `secret` (right or wrong), and keeps the
// connection's keys to make acknowledgements of its own.
struct HandshakenPeer : RawPeer {
  HandshakenPeer(std::uint16_t port, const std::string& secret) : RawPeer(port), auth(secret) {
    auto [type, body] = read();
    EXPECT_EQ(type, FrameType::hello);
    const auto hello = decode_hello(body);
    EXPECT_TRUE(hello && hello->authenticated);
    HelloReply reply;
    reply.nonce = random_nonce();
    reply.mac = auth.reply_mac(hello->nonce, reply_mac_fields(reply));
    auth.start_session(hello->nonce, reply.nonce);
    write(encode_hello_reply(reply));
  }
  ChannelAuth auth;
};

TEST(ProviderAuthentication, DropsAPeerThatDoesNotKnowTheSecretAndGivesTheExactAnswer) {
  ProviderRun run(small_capture, authenticated(1));
  {
    RawPeer peer(run.port());
    peer.handshake();  // a hello reply with no MAC, as a peer without the secret must send
    // It is dropped: the provider closes instead of opening a lane for it.
    std::error_code error;
    std::vector<std::uint8_t> sink(1 << 16);
    while (!error) peer.socket.read_some(asio::buffer(sink), error);
  }
  consume_in_thread(run.port(), 1, run_secret).join();
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("not authenticated"), std::string::npos) << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(ProviderAuthentication, DropsAPeerWithAnotherSecretAndGivesTheExactAnswer) {
  ProviderRun run(small_capture, authenticated(1));
  {
    HandshakenPeer peer(run.port(), "another secret, also 32 bytes!!!");
    std::error_code error;
    std::vector<std::uint8_t> sink(1 << 16);
    while (!error) peer.socket.read_some(asio::buffer(sink), error);
  }
  consume_in_thread(run.port(), 1, run_secret).join();
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("not authenticated"), std::string::npos) << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(ProviderAuthentication, RefusesAReplayedAcknowledgementAndCountsItOnce) {
  StreamSettings settings = authenticated(2);
  settings.hooks.batch_bytes = 4096;  // many batches: the replay falls mid-run
  ProviderRun run(large_capture, settings);
  std::thread consumer;
  {
    // A consumer of the run (it has the secret) that sends its first acknowledgement twice.
    RawPeer peer(run.port());
    consumer = consume_in_thread(run.port(), 1, run_secret);
    ConsumerSession session(run_secret, random_nonce());
    auto [type, body] = peer.read();
    ConsumerStep step = session.answer_hello(type, body);
    ASSERT_TRUE(step.problem.empty()) << step.problem;
    peer.write(*step.reply);
    for (;;) {
      auto [next_type, next_body] = peer.read();
      step = session.next(next_type, next_body);
      ASSERT_TRUE(step.problem.empty()) << step.problem;
      if (!step.reply) continue;
      peer.write(*step.reply);
      peer.write(*step.reply);  // the replay
      break;
    }
    std::error_code error;
    std::vector<std::uint8_t> sink(1 << 16);
    while (!error) peer.socket.read_some(asio::buffer(sink), error);
  }
  consumer.join();
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("acknowledgement 2 on this connection does not verify"),
            std::string::npos)
      << run.warnings();
  expect_same(run.outcome(), analyze_directly(large_capture));
}

TEST(ProviderAuthentication, DropsAPeerThatAcknowledgesABatchItWasNeverSent) {
  ProviderRun run(small_capture, authenticated(2));
  std::thread consumer;
  {
    HandshakenPeer peer(run.port(), run_secret);  // it has the secret, and lies
    // Two honest connections: whether the lie is read before the run starts (the liar's lane
    // then waits for the next connection) or after (its lane moves to a survivor), the run
    // has what it needs to finish.
    consumer = consume_in_thread(run.port(), 2, run_secret);
    Ack ack;
    ack.lane = 0;
    ack.seq = 999;
    ack.delta.query_counts.push_back({"evil.injected.example", 1000000});
    peer.write(encode_ack(ack, peer.auth, 0));
    std::error_code error;
    std::vector<std::uint8_t> sink(1 << 16);
    while (!error) peer.socket.read_some(asio::buffer(sink), error);
  }
  consumer.join();
  run.join();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(run.warnings().find("which is not the next one due"), std::string::npos)
      << run.warnings();
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(ProviderAuthentication, ClosesAPeerStillInItsHandshakeWhenTheRunEnds) {
  StreamSettings settings = settings_for(1);
  settings.hooks.handshake_ms = 60000;
  const auto start = std::chrono::steady_clock::now();
  ProviderRun run(small_capture, settings);
  RawPeer silent(run.port());  // connects and says nothing
  consume_in_thread(run.port(), 1).join();
  run.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(run.error(), "");
  expect_same(run.outcome(), analyze_directly(small_capture));
}

TEST(TestHooks, ReadsDelaysKillsAndLimits) {
  const TestHooks hooks = TestHooks::parse("delay_us=50,kill=2@7,kill=0@1,stall_ms=10,seed=3");
  EXPECT_EQ(hooks.max_delay_us, 50u);
  EXPECT_EQ(hooks.kill_after.at(2), 7u);
  EXPECT_EQ(hooks.kill_after.at(0), 1u);
  EXPECT_EQ(hooks.stall_ms, 10u);
  EXPECT_EQ(hooks.seed, 3u);
  EXPECT_THROW((void)TestHooks::parse("bogus=1"), std::invalid_argument);
}

}  // namespace
}  // namespace pa::stream
