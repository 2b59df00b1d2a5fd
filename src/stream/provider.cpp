#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "analysis/partial_result.hpp"
#include "capture/capture_merger.hpp"
#include "reassembly/packet_dissector.hpp"
#include "reassembly/record_router.hpp"
#include "stream/consumer.hpp"
#include "stream/consumer_session.hpp"
#include "stream/event_record.hpp"
#include "stream/frame_auth.hpp"
#include "stream/frame_io.hpp"
#include "stream/open_file_limit.hpp"
#include "stream/stream_mode.hpp"
#include "stream/warning_limiter.hpp"

namespace pa::stream {

namespace {

// Peers dropped for the same reason share one kind of warning, whatever numbers the reason
// holds (a version, a frame type): each reason is said at most once a second, and a peer
// cannot make the limiter keep one kind per number it sends.
std::string problem_kind(std::string_view problem) {
  std::string kind = "peer: ";
  for (const char c : problem) {
    if (c < '0' || c > '9') kind += c;
  }
  return kind;
}

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Frame = std::shared_ptr<const std::vector<std::uint8_t>>;

// Wakes every coroutine waiting on it; waiters check their condition again.
class Signal {
 public:
  explicit Signal(const asio::any_io_executor& executor) : timer_(executor) {
    timer_.expires_at(Clock::time_point::max());
  }
  asio::awaitable<void> wait() { co_await timer_.async_wait(use_tuple); }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

std::string endpoint_text(const asio::ip::address& address, std::uint16_t port) {
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), port)
                         : fmt::format("{}:{}", address.to_string(), port);
}

// A dead peer (a machine gone, a cable pulled) is noticed by TCP keepalive within about
// 25 s, whatever the program on either side is doing.
void probe_when_idle(tcp::socket& socket) {
  std::error_code ignored;
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
  const int idle_s = 10;
  const int interval_s = 5;
  const int probes = 3;
  const int fd = socket.native_handle();
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_s, sizeof interval_s);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

struct Lane;

struct Connection {
  Connection(std::uint32_t id_, tcp::socket socket_, ChannelAuth auth_)
      : id(id_), socket(std::move(socket_)), wake(socket.get_executor()), auth(std::move(auth_)) {}
  std::uint32_t id;
  tcp::socket socket;
  Signal wake;
  ChannelAuth auth;              // this connection's keys (ChannelAuth::start_session)
  std::uint64_t acks_taken = 0;  // the position of the next acknowledgement, for its MAC
  std::deque<Frame> queue;
  std::vector<Lane*> lanes;
  bool alive = true;
  bool closing = false;
  // The last acknowledgement, or when work was given to it while it had none out: the stall
  // limit counts from the later, so that a connection left idle for a while (the run waited
  // on another one) is not dropped the moment it is given work again.
  Clock::time_point last_progress = Clock::now();
};

// A batch sent and not acknowledged yet, kept to be sent again should its connection die.
struct Pending {
  std::uint64_t seq = 0;
  std::uint64_t first_packet = 0;
  Frame frame;
};

struct Lane {
  std::uint32_t id = 0;
  Connection* owner = nullptr;
  // The batches sent and not acknowledged, in order. A consumer's lane holds no state between
  // batches (reassembly is the provider's), so these are all another consumer needs.
  std::deque<Pending> unacknowledged;
  std::uint64_t next_seq = 1;
  Frame finish;
  std::uint64_t finish_seq = 0;
  bool done = false;
};

class Provider {
 public:
  Provider(asio::io_context& context, tcp::acceptor& acceptor, std::unique_ptr<PacketSource> source,
           const analysis::AnalysisOptions& options, const StreamSettings& settings,
           const WarningSink& warn, std::string secret)
      : context_(context),
        acceptor_(acceptor),
        source_(std::move(source)),
        options_(options),
        settings_(settings),
        warn_(warn),
        limited_(warn),
        secret_(std::move(secret)),
        results_(options),
        progress_(context.get_executor()),
        signals_(context, SIGINT, SIGTERM) {
    lanes_.resize(settings.connections);
    for (std::uint32_t i = 0; i < settings.connections; ++i) lanes_[i].id = i;
    batch_lane_ = &lanes_.back();
    signals_.async_wait([this](const std::error_code& error, int number) {
      if (error) return;
      interrupted_ = true;
      fail(number == SIGINT ? "interrupted (SIGINT)" : "interrupted (SIGTERM)");
    });
  }

  asio::awaitable<void> accept_loop() {
    while (!stopped_ && !finished_) {
      auto [error, socket] = co_await acceptor_.async_accept(use_tuple);
      if (error) {
        if (stopped_ || finished_ || !acceptor_.is_open()) co_return;
        limited_.warn("accept", fmt::format("cannot accept a connection: {}", error.message()));
        // The error repeats at once while its cause lasts (no file descriptor left, say): wait
        // before the next try instead of spinning on it.
        accept_pause_.expires_after(std::chrono::milliseconds(100));
        co_await accept_pause_.async_wait(use_tuple);
        continue;
      }
      asio::co_spawn(context_, handshake(std::move(socket)), rethrow);
    }
  }

  asio::awaitable<void> pump() {
    while (!started_ && !stopped_) co_await progress_.wait();
    capture::PacketRecord record;
    while (!stopped_) {
      const PacketSource::Event event = source_->next(record);
      if (event == PacketSource::Event::ended) break;
      if (event == PacketSource::Event::idle) {
        // Nothing to read for now: what waits is sent, and acknowledgements are taken in.
        co_await send_open_batch();
        co_await asio::post(context_, asio::use_awaitable);
        if (report_due()) co_await write_interim();
        continue;
      }
      ++last_.packet_number;
      last_.timestamp_ns = record.timestamp_ns;
      report::note_record_time(time_span_, record.timestamp_ns);
      const reassembly::Route route = reassembly::route_record(record);
      if (route.needs_reassembly) {
        recorder_.clear();
        dissector_.dissect(record, last_, recorder_);
        // Nothing travels for a fragment or segment that reassembly only holds for now.
        if (recorder_.has_events()) open_batch().add_events(last_, recorder_.bytes());
      } else {
        open_batch().add(last_.packet_number, record, route.read_bytes);
      }
      if (batch_ && batch_->size() >= batch_bytes_) co_await send_open_batch();
      if (report_due()) co_await write_interim();
    }
    if (stopped_) co_return;
    // What reassembly still holds is given up on, as -c 0 does at the end of its input.
    recorder_.clear();
    dissector_.finish(last_, recorder_);
    if (recorder_.has_events()) open_batch().add_events(last_, recorder_.bytes());
    co_await send_open_batch();
    for (Lane& lane : lanes_) {
      starts_work(*lane.owner);
      lane.finish_seq = lane.next_seq++;
      lane.finish = std::make_shared<const std::vector<std::uint8_t>>(
          encode_finish_lane({lane.id, lane.finish_seq, last_}));
      send(*lane.owner, lane.finish);
    }
    while (!stopped_ && !all_done()) co_await progress_.wait();
    if (stopped_) co_return;
    finished_ = true;
    auto bye = std::make_shared<const std::vector<std::uint8_t>>(encode_bye());
    for (auto& connection : connections_) {
      if (!connection->alive) continue;
      connection->closing = true;
      send(*connection, bye);
    }
    stop_listening();
  }

  asio::awaitable<void> watchdog() {
    while (!stopped_ && !finished_) {
      watchdog_timer_.expires_after(std::chrono::milliseconds(100));
      co_await watchdog_timer_.async_wait(use_tuple);
      const auto now = Clock::now();
      for (auto& connection : connections_) {
        if (!connection->alive || connection->closing) continue;
        if (has_work_out(*connection) &&
            now - connection->last_progress > std::chrono::milliseconds(settings_.hooks.stall_ms)) {
          ++health_.stalls;
          lost(*connection, fmt::format("no acknowledgement for {} ms", settings_.hooks.stall_ms));
        }
      }
    }
  }

  [[nodiscard]] const std::optional<std::string>& failure() const { return failure_; }
  [[nodiscard]] bool interrupted() const { return interrupted_; }

  StreamOutcome outcome() {
    StreamOutcome outcome;
    outcome.result = results_.result();
    outcome.packets_read = last_.packet_number;
    outcome.time_span = time_span_;
    outcome.capture_warnings = source_->problems();
    outcome.health = health_;
    outcome.health.lanes = static_cast<std::uint32_t>(lanes_.size());
    return outcome;
  }

 private:
  static void rethrow(const std::exception_ptr& error) {
    if (error) std::rethrow_exception(error);
  }

  asio::awaitable<void> handshake(tcp::socket socket) {
    std::error_code ignored;
    const auto peer = socket.remote_endpoint(ignored);
    const std::string who = endpoint_text(peer.address(), peer.port());
    // A peer that says nothing is dropped after a while, so it cannot hold up the run; and
    // once the run is over (or has failed) it is dropped at once (stop_listening).
    handshaking_.insert(&socket);
    bool timed_out = false;
    asio::steady_timer deadline(context_);
    deadline.expires_after(std::chrono::milliseconds(settings_.hooks.handshake_ms));
    deadline.async_wait([&socket, &timed_out](const std::error_code& error) {
      if (error) return;
      timed_out = true;
      std::error_code ignored_close;
      socket.close(ignored_close);
    });
    Hello hello;
    hello.window = settings_.window;
    hello.options = options_;
    hello.lanes = settings_.connections;
    hello.authenticated = !secret_.empty();
    hello.nonce = random_nonce();
    ChannelAuth auth(secret_);
    auto hello_frame = encode_hello(hello, auth);
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(hello_frame), use_tuple);
    std::vector<std::uint8_t> buffer;
    FrameRead reply;
    if (!error) reply = co_await read_frame(socket, buffer);
    deadline.cancel();
    handshaking_.erase(&socket);
    std::string problem;
    std::optional<HelloReply> decoded;
    if (timed_out) {
      problem =
          fmt::format("no hello reply within {}", duration_text(settings_.hooks.handshake_ms));
    } else if (error) {
      problem = "cannot send the hello: " + error.message();
    } else if (!reply.ok && reply.end_of_stream) {
      problem =
          "it closed the connection without a hello reply (a consumer without this run's "
          "secret, or not a consumer)";
    } else if (!reply.ok) {
      problem = "no hello reply: " + reply.problem;
    } else if (reply.type != FrameType::hello_reply) {
      problem = fmt::format("frame type {} instead of a hello reply", static_cast<int>(reply.type));
    } else if (decoded = decode_hello_reply(reply.body); !decoded) {
      problem = "a hello reply that does not decode (not this protocol)";
    } else if (decoded->version != protocol_version) {
      problem = fmt::format("protocol version {}, this program speaks version {}", decoded->version,
                            protocol_version);
    } else if (auth.has_secret() &&
               !ChannelAuth::same(decoded->mac,
                                  auth.reply_mac(hello.nonce, reply_mac_fields(*decoded)))) {
      problem =
          "not authenticated: its hello reply does not carry a MAC made with this run's secret "
          "(no secret, or another one)";
    }
    if (!problem.empty() || stopped_ || finished_) {
      if (!problem.empty()) {
        ++health_.peers_dropped;
        if (!stopped_ && !finished_) {
          limited_.warn(problem_kind(problem),
                        fmt::format("dropped the peer at {}: {}", who, problem));
        }
      }
      socket.close(ignored);
      co_return;
    }
    auth.start_session(hello.nonce, decoded->nonce);
    socket.set_option(tcp::no_delay(true), ignored);
    probe_when_idle(socket);
    const auto id = static_cast<std::uint32_t>(connections_.size());
    connections_.push_back(std::make_unique<Connection>(id, std::move(socket), std::move(auth)));
    ++health_.connections;
    Connection& connection = *connections_.back();
    asio::co_spawn(context_, writer(connection), rethrow);
    asio::co_spawn(context_, reader(connection), rethrow);
    if (!started_) {
      const auto free_lane = std::find_if(lanes_.begin(), lanes_.end(),
                                          [](const Lane& lane) { return lane.owner == nullptr; });
      adopt(connection, *free_lane, false);
      if (std::none_of(lanes_.begin(), lanes_.end(),
                       [](const Lane& lane) { return lane.owner == nullptr; })) {
        started_ = true;
        progress_.notify();
      }
    }
    // Connections after the start wait as spares: they take over lanes of a lost connection.
  }

  asio::awaitable<void> writer(Connection& connection) {
    while (connection.alive) {
      if (connection.queue.empty()) {
        co_await connection.wake.wait();
        continue;
      }
      const Frame frame = connection.queue.front();
      auto [error, n] =
          co_await asio::async_write(connection.socket, asio::buffer(*frame), use_tuple);
      if (error) {
        lost(connection, "cannot send: " + error.message());
        co_return;
      }
      if (!connection.queue.empty()) connection.queue.pop_front();
      if (connection.closing && connection.queue.empty()) {
        // The bye is out and every acknowledgement is in: nothing more to read either, and a
        // peer that would never close cannot hold the run open.
        std::error_code ignored;
        connection.socket.shutdown(tcp::socket::shutdown_both, ignored);
        connection.socket.close(ignored);
        connection.alive = false;
        co_return;
      }
    }
  }

  asio::awaitable<void> reader(Connection& connection) {
    std::vector<std::uint8_t> buffer;
    while (connection.alive) {
      FrameRead frame = co_await read_frame(connection.socket, buffer);
      if (!connection.alive) co_return;
      if (!frame.ok) {
        if (connection.closing && frame.end_of_stream) {
          std::error_code ignored;
          connection.socket.close(ignored);
          connection.alive = false;
          co_return;
        }
        lost(connection,
             frame.end_of_stream ? "the consumer closed the connection" : frame.problem);
        co_return;
      }
      if (frame.type != FrameType::ack) {
        lost(connection, fmt::format("unexpected frame type {}", static_cast<int>(frame.type)));
        co_return;
      }
      auto ack = decode_ack(frame.body);
      if (!ack) {
        lost(connection, "an acknowledgement that does not decode");
        co_return;
      }
      if (connection.auth.has_secret() &&
          !ChannelAuth::same(
              ack->mac, connection.auth.ack_mac(connection.acks_taken, mac_fields(frame.body)))) {
        lost(connection,
             fmt::format("acknowledgement {} on this connection does not verify (altered, "
                         "replayed, or not made with this run's secret); nothing of it counts",
                         connection.acks_taken + 1));
        co_return;
      }
      ++connection.acks_taken;
      if (auto problem = take_ack(connection, *ack)) {
        lost(connection, *problem);
        co_return;
      }
    }
  }

  std::optional<std::string> take_ack(Connection& connection, Ack& ack) {
    if (ack.lane >= lanes_.size() || lanes_[ack.lane].owner != &connection) {
      return fmt::format("an acknowledgement for lane {}, which it does not hold", ack.lane);
    }
    Lane& lane = lanes_[ack.lane];
    const bool final = (ack.flags & Ack::final) != 0;
    // Acknowledgements come in order: the next one is for the first batch not acknowledged.
    const bool expected =
        final ? lane.finish && ack.seq == lane.finish_seq && lane.unacknowledged.empty()
              : !lane.unacknowledged.empty() && lane.unacknowledged.front().seq == ack.seq;
    if (!expected || lane.done) {
      return fmt::format("an acknowledgement of batch {} of lane {}, which is not the next one due",
                         ack.seq, ack.lane);
    }
    connection.last_progress = Clock::now();
    results_.add(ack.delta);
    if (final) {
      lane.done = true;
    } else {
      lane.unacknowledged.pop_front();
    }
    if (results_.pending_candidates() > 4096) results_.settle(next_unaccounted());
    progress_.notify();
    return std::nullopt;
  }

  // The batch being filled. A new one goes to the lane with the fewest batches in flight, the
  // next in turn among equals: a consumer's lane holds nothing between batches, so any lane
  // may take any packet, and the busiest consumer is the last to get more.
  BatchBuilder& open_batch() {
    if (!batch_) {
      Lane* choice = nullptr;
      for (std::size_t i = 1; i <= lanes_.size(); ++i) {
        Lane& candidate = lanes_[(batch_lane_->id + i) % lanes_.size()];
        if (choice == nullptr || candidate.unacknowledged.size() < choice->unacknowledged.size()) {
          choice = &candidate;
        }
      }
      batch_lane_ = choice;
      // Room for a full batch and one more record of usual size: one allocation per batch.
      batch_.emplace(choice->id, choice->next_seq++, batch_bytes_ + 2048);
    }
    return *batch_;
  }

  // The smallest packet number whose result has not come back.
  [[nodiscard]] std::uint64_t next_unaccounted() const {
    std::uint64_t lowest = last_.packet_number + 1;
    for (const Lane& lane : lanes_) {
      if (!lane.unacknowledged.empty()) {
        lowest = std::min(lowest, lane.unacknowledged.front().first_packet);
      }
    }
    if (batch_ && batch_->count() != 0) lowest = std::min(lowest, batch_->first_packet_number());
    return lowest;
  }

  // Sends the batch being filled, if any, once its lane has room in its window.
  asio::awaitable<void> send_open_batch() {
    if (!batch_) co_return;
    Lane& lane = *batch_lane_;
    while (!stopped_ && lane.unacknowledged.size() >= settings_.window) co_await progress_.wait();
    if (stopped_) co_return;
    const std::uint64_t seq = batch_->seq();
    const std::uint64_t first = batch_->first_packet_number();
    auto frame = std::make_shared<const std::vector<std::uint8_t>>(batch_->take());
    batch_.reset();
    starts_work(*lane.owner);
    lane.unacknowledged.push_back({seq, first, frame});
    send(*lane.owner, frame);
    // Let the writers and readers run: this is one thread.
    co_await asio::post(context_, asio::use_awaitable);
  }

  // A plain call: it runs for every packet, where a coroutine frame would cost an allocation.
  [[nodiscard]] bool report_due() const { return settings_.interim && settings_.interim->due(); }

  // Every packet so far analyzed and merged, the report is written; then the run goes on.
  asio::awaitable<void> write_interim() {
    co_await send_open_batch();
    const auto waiting = [this] {
      return std::any_of(lanes_.begin(), lanes_.end(),
                         [](const Lane& lane) { return !lane.unacknowledged.empty(); });
    };
    while (!stopped_ && waiting()) co_await progress_.wait();
    if (stopped_) co_return;
    settings_.interim->write(results_.result(), last_.packet_number, time_span_);
  }

  // Batches or a finish sent and not acknowledged yet.
  [[nodiscard]] static bool has_work_out(const Connection& connection) {
    return std::any_of(connection.lanes.begin(), connection.lanes.end(), [](const Lane* lane) {
      return !lane->unacknowledged.empty() || (lane->finish && !lane->done);
    });
  }
  // Called before a connection is given a batch or a finish.
  static void starts_work(Connection& connection) {
    if (!has_work_out(connection)) connection.last_progress = Clock::now();
  }

  void send(Connection& connection, Frame frame) {
    if (!connection.alive) return;
    connection.queue.push_back(std::move(frame));
    connection.wake.notify();
  }

  // Gives a lane to a connection; `resend` sends again what the lane's previous holder left
  // unacknowledged.
  void adopt(Connection& connection, Lane& lane, bool resend) {
    lane.owner = &connection;
    connection.lanes.push_back(&lane);
    connection.last_progress = Clock::now();
    send(connection, std::make_shared<const std::vector<std::uint8_t>>(
                         encode_lane_frame(FrameType::open_lane, lane.id)));
    if (!resend) return;
    for (const Pending& pending : lane.unacknowledged) send(connection, pending.frame);
    if (lane.finish) send(connection, lane.finish);
  }

  void lost(Connection& connection, const std::string& reason) {
    if (!connection.alive) return;
    connection.alive = false;
    std::error_code ignored;
    connection.socket.close(ignored);
    connection.wake.notify();
    if (stopped_ || finished_) return;
    std::size_t open_lanes = 0;
    for (const Lane* lane : connection.lanes) open_lanes += lane->done ? 0 : 1;
    ++health_.connections_lost;
    warn_(fmt::format("connection {} lost: {}", connection.id, reason));
    if (open_lanes == 0) return;
    if (!started_) {
      // Nothing was sent yet: its lane waits for the next connection.
      for (Lane* lane : connection.lanes) lane->owner = nullptr;
      connection.lanes.clear();
      return;
    }
    for (Lane* lane : connection.lanes) {
      if (lane->done) continue;
      Connection* survivor = nullptr;
      for (auto& candidate : connections_) {
        if (!candidate->alive || candidate->closing) continue;
        if (survivor == nullptr || candidate->lanes.size() < survivor->lanes.size()) {
          survivor = candidate.get();
        }
      }
      if (survivor == nullptr) {
        fail("every connection was lost; no partial answer is printed");
        return;
      }
      adopt(*survivor, *lane, true);
      ++health_.lanes_moved;
      health_.batches_resent += lane->unacknowledged.size();
      warn_(fmt::format("lane {} went to connection {}, with {} batch{} to process again{}",
                        lane->id, survivor->id, lane->unacknowledged.size(),
                        lane->unacknowledged.size() == 1 ? "" : "es",
                        lane->finish ? " and its finish" : ""));
    }
    connection.lanes.clear();
    progress_.notify();
  }

  void fail(const std::string& message) {
    if (stopped_) return;
    failure_ = message;
    stopped_ = true;
    stop_listening();
    for (auto& connection : connections_) {
      connection->alive = false;
      std::error_code ignored;
      connection->socket.close(ignored);
      connection->wake.notify();
    }
    progress_.notify();
  }

  void stop_listening() {
    std::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    watchdog_timer_.cancel();
    accept_pause_.cancel();
    // Peers still in their handshake are of no use now: dropped at once, so that one saying
    // nothing cannot hold the report back until its handshake times out.
    for (tcp::socket* socket : handshaking_) socket->close(ignored);
  }

 public:
  // An in-process consumer could not connect or failed before the run started: the provider
  // would wait for it for ever.
  void local_consumer_failed(std::uint32_t index, const std::string& problem) {
    if (started_ || stopped_ || finished_) return;
    fail(fmt::format("consumer {} could not join: {}", index, problem));
  }

  void flush_warnings() { limited_.flush(); }

 private:
  [[nodiscard]] bool all_done() const {
    return std::all_of(lanes_.begin(), lanes_.end(), [](const Lane& lane) { return lane.done; });
  }

  asio::io_context& context_;
  tcp::acceptor& acceptor_;
  std::unique_ptr<PacketSource> source_;
  analysis::AnalysisOptions options_;
  const StreamSettings& settings_;
  const WarningSink& warn_;
  WarningLimiter limited_;  // the warnings a peer or a fault can repeat without end
  std::string secret_;      // empty: no authentication (serve on loopback without one)
  std::set<tcp::socket*> handshaking_;
  analysis::ResultMerger results_;
  reassembly::PacketDissector dissector_;  // for the packets whose route needs reassembly
  EventRecorder recorder_;
  Signal progress_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_{context_};
  asio::steady_timer accept_pause_{context_};
  std::size_t batch_bytes_ =
      settings_.hooks.batch_bytes != 0 ? settings_.hooks.batch_bytes : settings_.batch_bytes;
  std::vector<Lane> lanes_;
  // The one batch being filled, and its lane (or the last batch's: the next choice starts
  // after it; the last lane at first, so that lane 0 is chosen first).
  std::optional<BatchBuilder> batch_;
  Lane* batch_lane_ = nullptr;
  std::vector<std::unique_ptr<Connection>> connections_;
  decode::PacketContext last_;
  std::optional<report::RecordTimeSpan> time_span_;
  bool started_ = false;
  bool finished_ = false;
  bool stopped_ = false;
  bool interrupted_ = false;
  std::optional<std::string> failure_;
  StreamHealth health_;
};

void rethrow_error(const std::exception_ptr& error) {
  if (error) std::rethrow_exception(error);
}

// One consumer connection: connects to the first endpoint that answers, then runs the
// protocol. `socket` and `problem` belong to the caller and outlive the io_context's run.
asio::awaitable<void> connect_and_consume(tcp::socket& socket, std::vector<tcp::endpoint> targets,
                                          std::string where, std::uint32_t index,
                                          const TestHooks& hooks, const std::string& secret,
                                          std::string& problem) {
  // An address that never answers (a firewall dropping the SYN) must not hold this for ever.
  bool timed_out = false;
  asio::steady_timer deadline(socket.get_executor());
  deadline.expires_after(std::chrono::milliseconds(hooks.handshake_ms));
  deadline.async_wait([&socket, &timed_out](const std::error_code& error) {
    if (error) return;
    timed_out = true;
    std::error_code ignored;
    socket.close(ignored);
  });
  auto [error, endpoint] = co_await asio::async_connect(socket, targets, use_tuple);
  deadline.cancel();
  if (timed_out) {
    problem = fmt::format("cannot connect to {}: no answer within {}", where,
                          duration_text(hooks.handshake_ms));
    co_return;
  }
  if (error) {
    problem = fmt::format("cannot connect to {}: {}", where, error.message());
    co_return;
  }
  std::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  probe_when_idle(socket);
  problem = co_await run_consumer(socket, index, hooks, secret);
}

}  // namespace

std::unique_ptr<PacketSource> merged_files(
    std::vector<std::unique_ptr<capture::CaptureReader>> readers) {
  class MergedFiles final : public PacketSource {
   public:
    explicit MergedFiles(std::vector<std::unique_ptr<capture::CaptureReader>> readers)
        : merger_(std::move(readers)) {}
    Event next(capture::PacketRecord& record) override {
      return merger_.next(record) ? Event::packet : Event::ended;
    }
    [[nodiscard]] std::vector<std::string> problems() const override {
      std::vector<std::string> messages;
      for (const auto& problem : merger_.problems()) messages.push_back(problem.message);
      return messages;
    }

   private:
    capture::CaptureMerger merger_;
  };
  return std::make_unique<MergedFiles>(std::move(readers));
}

StreamOutcome provide(std::unique_ptr<PacketSource> source,
                      const analysis::AnalysisOptions& options, const StreamSettings& settings,
                      const WarningSink& warn, const WarningSink& on_listening) {
  if (settings.connections == 0) throw StreamError("the stream mode needs at least one connection");
  if (settings.connections > max_lanes) {
    throw StreamError(
        fmt::format("-c {}: at most {} connections", settings.connections, max_lanes));
  }
  // The in-process consumers hold one end of each connection, the provider the other.
  const std::uint64_t socket_count =
      settings.in_process_consumers ? 2ull * settings.connections : settings.connections;
  ensure_open_file_limit(open_files_for(socket_count), fmt::format("-c {}", settings.connections));
  // The in-process mode's own consumers, and nothing else, know this run's secret: another
  // process that connects to its port is dropped at the handshake.
  const std::string secret = settings.in_process_consumers ? random_secret() : settings.secret;
  asio::io_context context(1);
  std::error_code error;
  const auto address = asio::ip::make_address(settings.listen_address, error);
  if (error) {
    throw StreamError(fmt::format("--listen: '{}' is not an IP address", settings.listen_address));
  }
  tcp::acceptor acceptor(context);
  const tcp::endpoint endpoint(address, settings.port);
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    if (error == asio::error::address_in_use) {
      throw StreamError(fmt::format("-p {}: port {} on {} is in use; use -p 0 to pick a free port",
                                    settings.port, settings.port, settings.listen_address));
    }
    throw StreamError(fmt::format("cannot listen on {}:{}: {}", settings.listen_address,
                                  settings.port, error.message()));
  }
  const auto bound = acceptor.local_endpoint();
  on_listening(endpoint_text(bound.address(), bound.port()));

  Provider provider(context, acceptor, std::move(source), options, settings, warn, secret);
  asio::co_spawn(context, provider.accept_loop(), rethrow_error);
  asio::co_spawn(context, provider.pump(), rethrow_error);
  asio::co_spawn(context, provider.watchdog(), rethrow_error);
  // The in-process consumers run on a second thread with an io_context of their own, so that
  // decoding and analysis use the second core while this thread reads, routes and sends.
  // The two sides share nothing but the loopback sockets between them: the consumers' sockets
  // and outcomes live here, beyond every coroutine that uses them, and are read only after
  // the consumer thread has been joined.
  const std::uint32_t local = settings.in_process_consumers ? settings.connections : 0;
  asio::io_context consumer_context(1);
  std::vector<std::unique_ptr<tcp::socket>> sockets;
  std::vector<std::string> problems(local);
  const tcp::endpoint target(
      bound.address().is_unspecified()
          ? (bound.address().is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                                     : asio::ip::address(asio::ip::address_v4::loopback()))
          : bound.address(),
      bound.port());
  for (std::uint32_t i = 0; i < local; ++i) {
    sockets.push_back(std::make_unique<tcp::socket>(consumer_context));
    asio::co_spawn(
        consumer_context,
        connect_and_consume(*sockets[i], {target}, endpoint_text(target.address(), target.port()),
                            i, settings.hooks, secret, problems[i]),
        [&context, &provider, &problems, i](const std::exception_ptr& failure) {
          rethrow_error(failure);
          // On the consumers' thread: the provider hears of it on its own.
          if (problems[i].empty()) return;
          asio::post(context, [&provider, problem = problems[i], i] {
            provider.local_consumer_failed(i, problem);
          });
        });
  }
  std::exception_ptr consumer_failure;
  std::thread consumer_thread;
  if (local > 0) {
    consumer_thread = std::thread([&consumer_context, &consumer_failure] {
      try {
        consumer_context.run();
      } catch (...) {
        consumer_failure = std::current_exception();
      }
    });
  }
  try {
    context.run();
  } catch (...) {
    consumer_context.stop();
    if (consumer_thread.joinable()) consumer_thread.join();
    throw;
  }
  // The provider has closed every connection it held, so the consumers end on their own; a
  // consumer still waiting to connect (the provider failed before accepting it) is stopped.
  if (provider.failure()) consumer_context.stop();
  if (consumer_thread.joinable()) consumer_thread.join();
  provider.flush_warnings();
  if (consumer_failure) std::rethrow_exception(consumer_failure);
  if (provider.failure()) {
    if (provider.interrupted()) throw StreamInterrupted(*provider.failure());
    throw StreamError(*provider.failure());
  }
  for (std::uint32_t i = 0; i < local; ++i) {
    if (!problems[i].empty()) warn(fmt::format("consumer {} stopped: {}", i, problems[i]));
  }
  return provider.outcome();
}

void consume(const std::string& host, std::uint16_t port, std::uint32_t connections,
             const TestHooks& hooks, const std::string& secret, const WarningSink& warn) {
  ensure_open_file_limit(open_files_for(connections), fmt::format("-c {}", connections));
  asio::io_context context(1);
  tcp::resolver resolver(context);
  std::error_code error;
  const auto endpoints = resolver.resolve(host, std::to_string(port), error);
  if (error)
    throw StreamError(fmt::format("--connect: cannot resolve '{}': {}", host, error.message()));
  std::vector<std::string> problems(connections);
  bool interrupted = false;
  asio::signal_set signals(context, SIGINT, SIGTERM);
  std::vector<std::unique_ptr<tcp::socket>> sockets;
  for (std::uint32_t i = 0; i < connections; ++i) {
    sockets.push_back(std::make_unique<tcp::socket>(context));
  }
  signals.async_wait([&](const std::error_code& signal_error, int) {
    if (signal_error) return;
    interrupted = true;
    for (auto& socket : sockets) {
      std::error_code ignored;
      socket->close(ignored);
    }
  });
  std::size_t running = connections;
  const std::vector<tcp::endpoint> targets(endpoints.begin(), endpoints.end());
  for (std::uint32_t i = 0; i < connections; ++i) {
    asio::co_spawn(
        context,
        connect_and_consume(*sockets[i], targets,
                            host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                                                : fmt::format("{}:{}", host, port),
                            i, hooks, secret, problems[i]),
        [&](const std::exception_ptr& failure) {
          rethrow_error(failure);
          if (--running != 0) return;
          std::error_code ignored;
          signals.cancel(ignored);
        });
  }
  context.run();
  if (interrupted) throw StreamInterrupted("interrupted");
  std::size_t failed = 0;
  WarningLimiter limited(warn);
  for (std::uint32_t i = 0; i < connections; ++i) {
    if (problems[i].empty()) continue;
    ++failed;
    limited.warn("connection", fmt::format("connection {}: {}", i, problems[i]));
  }
  limited.flush();
  if (failed != 0) {
    throw StreamError(
        fmt::format("{} of {} connections ended before the provider's bye", failed, connections));
  }
}

}  // namespace pa::stream
