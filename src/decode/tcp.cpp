#include "decode/tcp.hpp"

namespace pa::decode {

using base::ByteReader;
using base::Drop;

base::Result<TcpView> decode_tcp(base::Bytes ip_payload, bool ip_payload_cut) noexcept {
  ByteReader r{ip_payload};
  TcpView view;
  view.source_port = r.u16();
  view.destination_port = r.u16();
  view.sequence_number = r.u32();
  view.acknowledgment_number = r.u32();
  const std::uint8_t data_offset = r.u8();
  view.flags = r.u8();
  if (r.failed()) return Drop::tcp_truncated;
  const std::size_t header_length = std::size_t{static_cast<std::uint8_t>(data_offset >> 4)} * 4;
  if (header_length < 20) return Drop::tcp_bad_header_length;
  if (header_length > ip_payload.size()) {
    return ip_payload_cut ? Drop::tcp_truncated : Drop::tcp_bad_header_length;
  }
  // Options (window scale, SACK, timestamps, Fast Open cookie) are not needed here.
  view.payload = ip_payload.subspan(header_length);
  view.payload_cut = ip_payload_cut;
  return view;
}

}  // namespace pa::decode
