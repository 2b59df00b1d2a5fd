#pragma once

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "base/byte_reader.hpp"
#include "stream/frame_codec.hpp"

namespace pa::stream {

// Asio completions as (error, value) tuples: errors are values (STYLE.md).
inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

struct FrameRead {
  bool ok = false;
  bool end_of_stream = false;  // the peer closed between frames
  std::string problem;         // why not ok
  FrameType type = FrameType::bye;
  base::Bytes body;  // into the buffer passed to read_frame, valid until its next use
};

// Reads one frame: the length is checked before the buffer grows to it.
asio::awaitable<FrameRead> read_frame(asio::ip::tcp::socket& socket,
                                      std::vector<std::uint8_t>& buffer);

}  // namespace pa::stream
