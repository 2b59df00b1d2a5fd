#pragma once

#include <asio.hpp>
#include <cstdint>
#include <string>

#include "stream/test_hooks.hpp"

namespace pa::stream {

// One consumer connection: answers the provider's hello, keeps a PacketDissector and a
// PartialAnalyzer per lane it is given, and acknowledges batches with the result delta
// (docs/stream-protocol.md). `socket` must outlive the coroutine. Returns an empty string after the
// provider's bye, or why the connection ended early.
asio::awaitable<std::string> run_consumer(asio::ip::tcp::socket& socket, std::uint32_t index,
                                          const TestHooks& hooks);

}  // namespace pa::stream
