#include "capture/capture_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "capture/byte_source.hpp"
#include "capture/input_buffer.hpp"
#include "capture/pcap_reader.hpp"
#include "capture/pcapng_reader.hpp"

namespace pa::capture {
namespace {

constexpr std::array<std::uint8_t, 2> gzip_magic{0x1F, 0x8B};
constexpr std::array<std::uint8_t, 4> zstd_magic{0x28, 0xB5, 0x2F, 0xFD};

// Compressions that are not read, named with the command that reads them: bzip2's "BZh",
// the first four bytes of xz's FD "7zXZ" 00, lz4's frame magic 0x184D2204 (little-endian).
struct UnreadCompression {
  std::array<std::uint8_t, 4> magic;
  std::size_t magic_size;
  const char* format;
  const char* command;
};
constexpr std::array<UnreadCompression, 3> unread_compressions{{
    {{0x42, 0x5A, 0x68, 0x00}, 3, "bzip2", "bzcat"},
    {{0xFD, 0x37, 0x7A, 0x58}, 4, "xz", "xzcat"},
    {{0x04, 0x22, 0x4D, 0x18}, 4, "lz4", "lz4cat"},
}};

void reject_unread_compression(std::span<const std::uint8_t> magic, const std::string& path,
                               const std::string& name) {
  for (const UnreadCompression& compression : unread_compressions) {
    if (magic.size() < compression.magic_size ||
        !std::equal(compression.magic.begin(),
                    compression.magic.begin() + static_cast<std::ptrdiff_t>(compression.magic_size),
                    magic.begin())) {
      continue;
    }
    const std::string advice = path == "-"
                                   ? std::string("decompress it first with ") + compression.command
                                   : std::string("decompress it first: ") + compression.command +
                                         ' ' + path + " | packet-analysis -f -";
    throw CaptureError(
        name + ": " + compression.format +
        "-compressed data, which is not read directly (gzip and zstd are): " + advice);
  }
}

template <std::size_t n>
bool starts_with(std::span<const std::uint8_t> bytes, const std::array<std::uint8_t, n>& magic) {
  return bytes.size() >= n && std::equal(magic.begin(), magic.end(), bytes.begin());
}

std::unique_ptr<DescriptorSource> open_descriptor(const std::string& path,
                                                  const std::string& name) {
  if (path == "-") return std::make_unique<DescriptorSource>(STDIN_FILENO, false);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CaptureError(name + ": " + std::strerror(errno));
  auto source = std::make_unique<DescriptorSource>(fd, true);
  struct stat status {};
  if (::fstat(fd, &status) != 0) throw CaptureError(name + ": " + std::strerror(errno));
  // open(2) accepts a directory; read(2) would then fail with EISDIR.
  if (S_ISDIR(status.st_mode)) throw CaptureError(name + ": is a directory");
  if (S_ISREG(status.st_mode)) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return source;
}

// The first bytes of a source, read again afterwards through unread().
std::span<const std::uint8_t> sniff(DescriptorSource& source, std::array<std::uint8_t, 4>& into,
                                    const std::string& name) {
  std::size_t held = 0;
  while (held < into.size()) {
    const std::size_t n = source.read(std::span(into).subspan(held));
    if (n == 0) break;
    held += n;
  }
  if (!source.error().empty()) throw CaptureError(name + ": " + source.error());
  source.unread(std::span(into).first(held));
  return std::span(into).first(held);
}

std::unique_ptr<CaptureReader> open_capture(const std::string& path, const std::string& name,
                                            std::unique_ptr<ByteSource> source,
                                            const char* compression) {
  InputBuffer input(std::move(source));
  if (!input.ensure(4) && !input.source().error().empty()) {
    throw CaptureError(name + ": " + source_failure(input.source(), input.available()));
  }
  const std::string inside =
      compression != nullptr ? std::string(" inside the ") + compression + " data" : std::string();
  if (input.available() == 0) {
    throw CaptureError(name + ": not a capture file (empty" + inside + ")");
  }
  if (input.available() < 4) {
    throw CaptureError(name + ": not a capture file (only " + std::to_string(input.available()) +
                       " bytes" + inside + ")");
  }
  const std::uint32_t magic = load_u32(input.data(), false);
  if (magic == PcapngReader::block_section_header) {
    return std::make_unique<PcapngReader>(path, name, std::move(input));
  }
  if (PcapReader::is_magic(magic)) {
    return std::make_unique<PcapReader>(path, name, std::move(input));
  }
  throw CaptureError(name + ": not a capture file (unknown magic " +
                     hex32(load_u32_big(input.data())) + inside + ")");
}

}  // namespace

std::unique_ptr<CaptureReader> CaptureReader::open(const std::string& path) {
  const std::string name = path == "-" ? "standard input" : path;
  auto file = open_descriptor(path, name);
  std::array<std::uint8_t, 4> first{};
  const auto magic = sniff(*file, first, name);
  if (starts_with(magic, gzip_magic)) {
    return open_capture(path, name, make_gzip_source(std::move(file)), "gzip");
  }
  if (starts_with(magic, zstd_magic)) {
    return open_capture(path, name, make_zstd_source(std::move(file)), "zstd");
  }
  reject_unread_compression(magic, path, name);
  return open_capture(path, name, std::move(file), nullptr);
}

}  // namespace pa::capture
