#include "stream/consumer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "stream/consumer_session.hpp"
#include "stream/frame_io.hpp"

namespace pa::stream {

std::string duration_text(std::uint32_t duration_ms) {
  if (duration_ms % 1000 == 0) return fmt::format("{} s", duration_ms / 1000);
  return fmt::format("{} ms", duration_ms);
}

asio::awaitable<std::string> run_consumer(asio::ip::tcp::socket& socket, std::uint32_t index,
                                          const TestHooks& hooks, const std::string& secret) {
  std::vector<std::uint8_t> buffer;
  ConsumerSession session(secret, random_nonce());
  const auto send = [&](const std::vector<std::uint8_t>& bytes) -> asio::awaitable<std::string> {
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
    if (error) co_return "cannot send to the provider: " + error.message();
    co_return std::string();
  };

  // Something that accepts the connection and never speaks must not hold this consumer.
  bool timed_out = false;
  asio::steady_timer deadline(socket.get_executor());
  deadline.expires_after(std::chrono::milliseconds(hooks.handshake_ms));
  deadline.async_wait([&socket, &timed_out](const std::error_code& error) {
    if (error) return;
    timed_out = true;
    std::error_code ignored;
    socket.close(ignored);
  });
  FrameRead frame = co_await read_frame(socket, buffer);
  deadline.cancel();
  if (timed_out) {
    co_return fmt::format("no hello from the provider within {}",
                          duration_text(hooks.handshake_ms));
  }
  if (!frame.ok) co_return "no hello from the provider: " + frame.problem;
  ConsumerStep step = session.answer_hello(frame.type, frame.body);
  if (step.reply) {
    std::string problem = co_await send(*step.reply);
    if (step.problem.empty() && !problem.empty()) co_return problem;
  }
  if (!step.problem.empty()) co_return step.problem;

  std::mt19937_64 random(hooks.seed * 7919 + index);
  asio::steady_timer delay(socket.get_executor());
  std::uint64_t batches = 0;
  const auto kill = hooks.kill_after.find(index);

  for (;;) {
    frame = co_await read_frame(socket, buffer);
    if (!frame.ok) co_return "connection to the provider lost: " + frame.problem;
    if (frame.type == FrameType::batch) {
      ++batches;
      if (kill != hooks.kill_after.end() && batches >= kill->second) {
        socket.close();
        co_return fmt::format("closed by the test hook at batch {}", batches);
      }
      if (hooks.max_delay_us != 0) {
        delay.expires_after(std::chrono::microseconds(random() % (hooks.max_delay_us + 1)));
        co_await delay.async_wait(use_tuple);
      }
    }
    step = session.next(frame.type, frame.body);
    if (!step.problem.empty()) co_return step.problem;
    if (step.reply) {
      std::string problem = co_await send(*step.reply);
      if (!problem.empty()) co_return problem;
    }
    if (step.bye) {
      std::error_code ignored;
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      co_return std::string();
    }
  }
}

}  // namespace pa::stream
