// The guess of a record start in classic pcap over any bytes: the split point comes from the
// input's size, the guess lies at or after it, inside the bytes, and is a record whose header
// the guess itself calls plausible (a chain of two, or one reaching the end of the bytes).

#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/pcap_boundary.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pa;
  const std::span<const std::uint8_t> bytes(data, size);
  const auto layout = capture::pcap_record_layout(bytes);
  if (!layout) return 0;
  for (const std::size_t from : {std::size_t{24}, 24 + (size - 24) / 3, size / 2, size}) {
    for (const bool end_of_file : {true, false}) {
      const auto found = capture::find_pcap_record_start(bytes, from, *layout, end_of_file, 3);
      if (!found) continue;
      PA_FUZZ_CHECK(*found >= from);
      PA_FUZZ_CHECK(*found < size);
      PA_FUZZ_CHECK(layout->record_header_size <= size - *found);
      // A guess from the guess itself lies no earlier, and is no guess at all only when the
      // chain from it runs out of bytes.
      const auto again = capture::find_pcap_record_start(bytes, *found, *layout, end_of_file, 3);
      if (again) PA_FUZZ_CHECK(*again > *found);
    }
  }
  return 0;
}
