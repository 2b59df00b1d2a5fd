// The consumer's side of the stream protocol, fed what a hostile provider could send: the input
// is a run of frames, each a type byte, a two-byte big-endian body length and the body. The
// first input byte chooses whether the consumer holds a secret. Whatever comes, the session
// must answer or refuse without throwing, and never hold more lanes than its hello announced.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "stream/consumer_session.hpp"
#include "stream/frame_auth.hpp"

namespace {

using namespace pa;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string secret = (data[0] & 1) != 0 ? std::string(32, 's') : std::string();
  stream::Nonce nonce{};
  stream::ConsumerSession session(secret, nonce);
  std::size_t at = 1;
  bool first = true;
  while (size - at >= 3) {
    const auto type = static_cast<stream::FrameType>(data[at]);
    const std::size_t length = std::size_t{data[at + 1]} << 8 | data[at + 2];
    at += 3;
    if (length > size - at) break;
    const base::Bytes body(data + at, length);
    at += length;
    const auto step = first ? session.answer_hello(type, body) : session.next(type, body);
    first = false;
    PA_FUZZ_CHECK(session.open_lanes() <= session.announced_lanes());
    if (!step.problem.empty() || step.bye) break;
  }
  return 0;
}
