#pragma once

#include <cstdint>

#include "base/byte_reader.hpp"
#include "base/result.hpp"

namespace pa::decode {

// One UDP header (RFC 768). `payload` points into the decoded bytes, valid as long as they are.
struct UdpView {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  base::Bytes payload;
  bool payload_cut = false;  // the capture's snap length cut the payload short
};

// `ip_payload_cut` says the IP layer's payload was cut by the snap length; only then may the
// UDP length run past the bytes at hand. A length of 0 is accepted only in an IPv6 jumbogram
// (RFC 2675 4), whose UDP length is then the IP payload's.
base::Result<UdpView> decode_udp(base::Bytes ip_payload, bool ip_payload_cut) noexcept;

}  // namespace pa::decode
