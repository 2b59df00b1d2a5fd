// The floor every benchmark is compared with: read() a classic pcap file in 1 MiB chunks and
// walk its record headers, touching nothing else. No program that looks at the packets can be
// faster on the same machine and file.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

std::uint32_t read_u32_le(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: record_walk_floor FILE.pcap (little-endian classic pcap)\n");
    return 2;
  }
  const int descriptor = ::open(argv[1], O_RDONLY);
  if (descriptor < 0) {
    std::perror(argv[1]);
    return 1;
  }
  constexpr std::size_t chunk = 1 << 20;
  std::vector<unsigned char> buffer(chunk + 65536 + 16);
  std::size_t held = 0;       // bytes in the buffer
  std::size_t position = 24;  // skip the file header
  std::uint64_t records = 0;
  std::uint64_t captured_bytes = 0;
  for (;;) {
    // Walk every whole record header in the buffer.
    while (held >= position + 16) {
      const std::uint32_t captured = read_u32_le(&buffer[position + 8]);
      if (held < position + 16 + captured) break;
      position += 16 + captured;
      captured_bytes += captured;
      ++records;
    }
    // Move the partial record to the front and refill.
    if (position <= held) {
      std::memmove(buffer.data(), buffer.data() + position, held - position);
      held -= position;
      position = 0;
    } else {
      position -= held;
      held = 0;
    }
    if (buffer.size() < held + chunk) buffer.resize(held + chunk);
    const ssize_t n = ::read(descriptor, buffer.data() + held, chunk);
    if (n <= 0) break;
    held += static_cast<std::size_t>(n);
  }
  ::close(descriptor);
  std::printf("%llu records, %llu captured bytes\n", static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(captured_bytes));
  return 0;
}
