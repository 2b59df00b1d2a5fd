#include "capture/pcap_range.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "capture/buffered_capture_reader.hpp"
#include "capture/pcap_boundary.hpp"
#include "capture/pcap_reader.hpp"

namespace pa::capture {
namespace {

constexpr std::size_t file_header_size = 24;
// Enough bytes after a split point for find_pcap_record_start's eight confirmations of
// records as large as 256 KiB (libpcap's largest snap length) and then some.
constexpr std::size_t search_window = std::size_t{4} << 20;
// Tried first: eight records of a usual capture fit in it many times over, and reading 4 MiB
// at every split point took a few milliseconds of the run before any thread started.
constexpr std::size_t first_search_window = std::size_t{64} << 10;

class Descriptor {
 public:
  explicit Descriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw CaptureError(path + ": " + std::strerror(errno));
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Reads up to into.size() bytes at `offset`; fewer only at the end of the file.
std::size_t read_bytes_at(int fd, std::span<std::uint8_t> into, std::uint64_t offset,
                          const std::string& path) {
  std::size_t held = 0;
  while (held < into.size()) {
    const ssize_t n =
        ::pread(fd, into.data() + held, into.size() - held, static_cast<off_t>(offset + held));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw CaptureError(path + ": read failed (" + std::strerror(errno) + ")");
    if (n == 0) break;
    held += static_cast<std::size_t>(n);
  }
  return held;
}

// Version 2.4 and later: older files may hold their lengths the other way round, which the
// boundary search cannot tell.
bool splittable_version(std::span<const std::uint8_t> header, const PcapRecordLayout& layout) {
  const std::uint16_t major = load_u16(header.data() + 4, layout.swapped);
  const std::uint16_t minor = load_u16(header.data() + 6, layout.swapped);
  return major == 2 && minor >= 4;
}

}  // namespace

namespace {

// The file's size, header and record layout when it can be split: a regular file, classic
// pcap, version 2.4 or later.
struct SplittableFile {
  std::uint64_t bytes = 0;
  PcapRecordLayout layout;
};

std::optional<SplittableFile> splittable_file(const Descriptor& descriptor,
                                              const std::string& path) {
  struct stat status {};
  if (::fstat(descriptor.get(), &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
  std::array<std::uint8_t, file_header_size> header{};
  if (read_bytes_at(descriptor.get(), header, 0, path) < header.size()) return std::nullopt;
  const auto layout = pcap_record_layout(header);
  if (!layout || !splittable_version(header, *layout)) return std::nullopt;
  return SplittableFile{static_cast<std::uint64_t>(status.st_size), *layout};
}

// The record starts found at or after each point, after the file header's end.
void add_starts(const Descriptor& descriptor, const std::string& path, const SplittableFile& file,
                const std::vector<std::uint64_t>& points, PcapSplitPlan& plan) {
  // Grown only when a search needs it: zeroing 4 MiB that the first window never uses, and the
  // page faults that took, were about 5 % of a -j 2 run's CPU samples, all before any thread.
  std::vector<std::uint8_t> window;
  const auto search = [&](std::uint64_t point, std::size_t size) -> std::optional<std::size_t> {
    if (window.size() < size) window.resize(size);
    const auto bytes = std::span(window).first(size);
    const std::size_t held = read_bytes_at(descriptor.get(), bytes, point, path);
    const bool ends_file = point + held >= file.bytes;
    return find_pcap_record_start(bytes.first(held), 0, file.layout, ends_file);
  };
  for (const std::uint64_t point : points) {
    if (point <= plan.starts.back() || point >= file.bytes) continue;
    auto found = search(point, first_search_window);
    if (!found) found = search(point, search_window);
    if (!found) continue;
    const std::uint64_t start = point + *found;
    if (start > plan.starts.back() && start < file.bytes) plan.starts.push_back(start);
  }
}

// The plan of a splittable file, with the points `points_for(bytes_in_file)` chooses.
template <class PointsFor>
PcapSplitPlan plan_with(const std::string& path, PointsFor&& points_for) {
  PcapSplitPlan plan;
  if (path == "-") return plan;
  const Descriptor descriptor(path);
  const auto file = splittable_file(descriptor, path);
  if (!file) return plan;
  plan.bytes_in_file = file->bytes;
  plan.starts.push_back(file_header_size);
  add_starts(descriptor, path, *file, points_for(file->bytes), plan);
  return plan;
}

}  // namespace

PcapSplitPlan plan_pcap_split(const std::string& path, std::size_t pieces,
                              std::uint64_t smallest_piece_bytes) {
  return plan_with(path, [&](std::uint64_t bytes_in_file) {
    std::vector<std::uint64_t> points;
    const std::uint64_t records = bytes_in_file - file_header_size;
    if (pieces < 2 || records < 2 * smallest_piece_bytes) return points;
    const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(
        pieces, std::max<std::uint64_t>(1, records / smallest_piece_bytes)));
    for (std::size_t k = 1; k < count; ++k) {
      points.push_back(file_header_size + records * k / count);
    }
    return points;
  });
}

PcapSplitPlan plan_pcap_split_at(const std::string& path,
                                 const std::vector<std::uint64_t>& points) {
  return plan_with(path, [&points](std::uint64_t) { return points; });
}

std::unique_ptr<CaptureReader> open_pcap_range(const std::string& path, std::uint64_t begin,
                                               std::uint64_t end) {
  Descriptor descriptor(path);
  std::array<std::uint8_t, file_header_size> header{};
  const std::size_t held = read_bytes_at(descriptor.get(), header, 0, path);
  if (::lseek(descriptor.get(), static_cast<off_t>(begin), SEEK_SET) < 0) {
    throw CaptureError(path + ": cannot seek to byte " + std::to_string(begin) + " (" +
                       std::strerror(errno) + ")");
  }
  (void)::posix_fadvise(descriptor.get(), static_cast<off_t>(begin), 0, POSIX_FADV_SEQUENTIAL);
  auto source = std::make_unique<DescriptorSource>(descriptor.release(), true);
  InputBuffer records(std::move(source), InputBuffer::initial_capacity, begin);
  return std::make_unique<PcapReader>(path, path, std::move(records), std::span(header).first(held),
                                      end);
}

}  // namespace pa::capture
