#include "decode/udp.hpp"

namespace pa::decode {

using base::ByteReader;
using base::Drop;

base::Result<UdpView> decode_udp(base::Bytes ip_payload, bool ip_payload_cut) noexcept {
  ByteReader r{ip_payload};
  UdpView view;
  view.source_port = r.u16();
  view.destination_port = r.u16();
  std::size_t length = r.u16();
  r.skip(2);  // checksum
  if (r.failed()) return Drop::udp_truncated;
  if (length == 0 && ip_payload.size() > 0xffff) length = ip_payload.size();
  if (length < 8) return Drop::udp_bad_length;
  if (length > ip_payload.size()) {
    if (!ip_payload_cut) return Drop::udp_bad_length;
    view.payload = r.rest();
    view.payload_cut = true;
  } else {
    view.payload = ip_payload.subspan(8, length - 8);
    view.payload_cut = false;
  }
  return view;
}

}  // namespace pa::decode
