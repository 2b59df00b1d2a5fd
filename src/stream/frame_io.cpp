#include "stream/frame_io.hpp"

#include <fmt/format.h>

namespace pa::stream {

asio::awaitable<FrameRead> read_frame(asio::ip::tcp::socket& socket,
                                      std::vector<std::uint8_t>& buffer) {
  FrameRead read;
  std::uint8_t prefix[frame_prefix_bytes];
  auto [error, n] = co_await asio::async_read(socket, asio::buffer(prefix), use_tuple);
  if (error) {
    read.end_of_stream = error == asio::error::eof && n == 0;
    read.problem =
        n == 0 ? error.message()
               : fmt::format("closed in the middle of a frame header ({})", error.message());
    co_return read;
  }
  const std::uint32_t length = (std::uint32_t{prefix[0]} << 24) | (std::uint32_t{prefix[1]} << 16) |
                               (std::uint32_t{prefix[2]} << 8) | std::uint32_t{prefix[3]};
  if (auto refused = check_frame_length(length)) {
    read.problem = std::move(*refused);
    co_return read;
  }
  buffer.resize(length);
  auto [body_error, body_n] = co_await asio::async_read(socket, asio::buffer(buffer), use_tuple);
  if (body_error) {
    read.problem = fmt::format("closed in the middle of a frame ({} of {} bytes; {})", body_n,
                               length, body_error.message());
    co_return read;
  }
  read.ok = true;
  read.type = static_cast<FrameType>(buffer[0]);
  read.body = base::Bytes(buffer).subspan(1);
  co_return read;
}

}  // namespace pa::stream
