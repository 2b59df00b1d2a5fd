#pragma once

#include <asio.hpp>
#include <cstdint>
#include <string>

#include "stream/test_hooks.hpp"

namespace pa::stream {

// One consumer connection: runs a ConsumerSession (stream/consumer_session.hpp) over the
// socket, acknowledging batches with the result delta (docs/stream-protocol.md). `secret` is
// the one shared with the provider (empty: none). A provider that sends no hello within
// hooks.handshake_ms is left. `socket` must outlive the coroutine. Returns an empty string
// after the provider's bye, or why the connection ended early.
asio::awaitable<std::string> run_consumer(asio::ip::tcp::socket& socket, std::uint32_t index,
                                          const TestHooks& hooks, const std::string& secret);

// "N s" or "N ms": a timeout as messages name it.
std::string duration_text(std::uint32_t duration_ms);

}  // namespace pa::stream
