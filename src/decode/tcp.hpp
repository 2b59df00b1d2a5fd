#pragma once

#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace pa::decode {

// One TCP header (RFC 9293 3.1). `payload` points into the decoded bytes, valid as long as they
// are.
struct TcpView {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence_number = 0;
  std::uint32_t acknowledgment_number = 0;  // meaningful when the ACK flag is set
  std::uint8_t flags = 0;                   // tcp_flag bits (packet_events.hpp)
  base::Bytes payload;
  bool payload_cut = false;  // the capture's snap length cut the payload short
};

// `ip_payload_cut` says the IP layer's payload was cut by the snap length: a header running
// past the bytes is then tcp_truncated, otherwise its data offset contradicts the IP length.
base::Result<TcpView> decode_tcp(base::Bytes ip_payload, bool ip_payload_cut) noexcept;

}  // namespace pa::decode
