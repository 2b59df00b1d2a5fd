#include "capture/live/live_capture.hpp"

#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <span>
#include <string_view>

namespace pa::capture::live {
namespace {

// Linux capability numbers (linux/capability.h), read from /proc/self/status below.
constexpr unsigned cap_net_admin = 12;
constexpr unsigned cap_net_raw = 13;

// The effective capability set of this process, or nothing where /proc does not tell.
std::optional<std::uint64_t> effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    try {
      return std::stoull(line.substr(7), nullptr, 16);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Says which privilege is missing rather than only that one is: on Linux a packet socket needs
// CAP_NET_RAW, and CAP_NET_ADMIN covers promiscuous mode and buffer sizes beyond the default.
std::string missing_privilege(bool promiscuous) {
  const auto capabilities = effective_capabilities();
  std::string missing;
  if (capabilities) {
    if ((*capabilities >> cap_net_raw & 1U) == 0) missing = "CAP_NET_RAW";
    if (promiscuous && (*capabilities >> cap_net_admin & 1U) == 0) {
      missing += missing.empty() ? "CAP_NET_ADMIN" : " and CAP_NET_ADMIN";
    }
  }
  const std::string remedy =
      "run it as root, or give the program the capabilities with "
      "'setcap cap_net_raw,cap_net_admin=eip packet-analysis'";
  if (missing.empty()) return "the process lacks the privilege to capture; " + remedy;
  const bool both = missing.find(" and ") != std::string::npos;
  return std::string("the process lacks the ") + (both ? "capabilities " : "capability ") +
         missing + "; " + remedy;
}

std::string pcap_message(pcap_t* handle) {
  const char* text = pcap_geterr(handle);
  return text == nullptr ? std::string() : std::string(text);
}

// The interface as pcap_findalldevs lists it, to tell a down interface apart before pcap
// tries it: Linux lets a socket bind to a down interface and then never hands out a packet.
std::optional<InterfaceInfo> find_interface(const std::string& name) {
  try {
    for (InterfaceInfo& info : list_interfaces()) {
      if (info.name == name) return std::move(info);
    }
  } catch (const LiveCaptureError&) {
    // Listing is only a help for the message; opening the interface gives the real answer.
  }
  return std::nullopt;
}

[[noreturn]] void throw_activation_error(pcap_t* handle, int status,
                                         const LiveCaptureOptions& options) {
  const std::string& name = options.interface;
  const std::string detail = pcap_message(handle);
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      throw LiveCaptureError(name + ": no such interface (-D lists the interfaces)");
    case PCAP_ERROR_PERM_DENIED:
      throw LiveCaptureError(
          name + ": no permission to capture: " + missing_privilege(options.promiscuous));
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      throw LiveCaptureError(name +
                             ": no permission to capture in promiscuous mode: it needs "
                             "CAP_NET_ADMIN or root (or capture with --no-promiscuous)");
    case PCAP_ERROR_IFACE_NOT_UP:
      throw LiveCaptureError(name + ": the interface is down (bring it up with 'ip link set " +
                             name + " up')");
    default:
      break;
  }
  std::string message = name + ": cannot capture: " + pcap_statustostr(status);
  if (!detail.empty()) message += " (" + detail + ")";
  throw LiveCaptureError(message);
}

}  // namespace

LinkType link_type_of_dlt(int dlt) noexcept {
  switch (dlt) {
    case DLT_RAW:
      return LinkType::raw;
#if DLT_LOOP != 108
    case DLT_LOOP:
      return LinkType::loop;
#endif
    default:
      // tcpdump.org/linktypes.html: every other value in use is the same in both numberings.
      return static_cast<LinkType>(static_cast<std::uint32_t>(dlt));
  }
}

std::vector<InterfaceInfo> list_interfaces() {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, error) != 0) {
    throw LiveCaptureError(std::string("cannot list the interfaces: ") + error);
  }
  std::vector<InterfaceInfo> interfaces;
  for (const pcap_if_t* device = devices; device != nullptr; device = device->next) {
    InterfaceInfo info;
    info.name = device->name;
    if (device->description != nullptr) info.description = device->description;
    info.loopback = (device->flags & PCAP_IF_LOOPBACK) != 0;
    info.up = (device->flags & PCAP_IF_UP) != 0;
    info.running = (device->flags & PCAP_IF_RUNNING) != 0;
    interfaces.push_back(std::move(info));
  }
  pcap_freealldevs(devices);
  return interfaces;
}

LiveCapture::LiveCapture(LiveCaptureOptions options) : options_(std::move(options)) {
  const std::string& name = options_.interface;
  if (name.empty()) throw LiveCaptureError("no interface named: give -i INTERFACE");
  if (const auto info = find_interface(name); info && !info->up) {
    throw LiveCaptureError(name + ": the interface is down (bring it up with 'ip link set " + name +
                           " up')");
  }
  char error[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_create(name.c_str(), error);
  if (handle_ == nullptr) throw LiveCaptureError(name + ": cannot capture: " + error);
  try {
    pcap_set_snaplen(handle_, static_cast<int>(options_.snap_length));
    pcap_set_promisc(handle_, options_.promiscuous ? 1 : 0);
    pcap_set_timeout(handle_, static_cast<int>(options_.wait.count()));
    pcap_set_immediate_mode(handle_, 1);
    if (options_.buffer_size_bytes != 0) {
      pcap_set_buffer_size(handle_, static_cast<int>(options_.buffer_size_bytes));
    }
    // Nanoseconds where the platform has them, so that a -w file keeps what the kernel gave.
    pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO);
    const int status = pcap_activate(handle_);
    if (status < 0) throw_activation_error(handle_, status, options_);
    if (status > 0) {
      std::string warning = name + ": " + pcap_statustostr(status);
      if (const std::string detail = pcap_message(handle_); !detail.empty()) {
        warning += " (" + detail + ")";
      }
      warnings_.push_back(std::move(warning));
    }
    nanoseconds_ = pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO;
    // The waits are ours, in poll(2) with a wake-up descriptor beside pcap's: libpcap's own
    // timeout does not end a wait on an idle interface on every kernel and ring version.
    if (pcap_setnonblock(handle_, 1, error) != 0) {
      throw LiveCaptureError(name + ": cannot capture: " + error);
    }
    selectable_fd_ = pcap_get_selectable_fd(handle_);
    if (selectable_fd_ < 0) {
      throw LiveCaptureError(name + ": cannot capture: no descriptor to wait on for packets");
    }
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
      throw LiveCaptureError(name + ": cannot capture: eventfd: " + std::strerror(errno));
    }
    link_type_ = link_type_of_dlt(pcap_datalink(handle_));

    if (!options_.filter.empty()) {
      bpf_program program{};
      if (pcap_compile(handle_, &program, options_.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        throw LiveCaptureError("capture filter '" + options_.filter +
                               "' does not compile: " + pcap_message(handle_));
      }
      const int installed = pcap_setfilter(handle_, &program);
      pcap_freecode(&program);
      if (installed != 0) {
        throw LiveCaptureError("capture filter '" + options_.filter +
                               "' cannot be installed: " + pcap_message(handle_));
      }
    }
  } catch (...) {
    pcap_close(handle_);
    handle_ = nullptr;
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw;
  }
  if (options_.duration) {
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(*options_.duration);
  }
}

LiveCapture::~LiveCapture() {
  if (handle_ != nullptr) pcap_close(handle_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

LiveEvent LiveCapture::next(PacketRecord& record) {
  if (end_reason_ != EndReason::none) return LiveEvent::ended;
  if (stop_requested_.load(std::memory_order_relaxed)) {
    end_reason_ = EndReason::stop_requested;
    return LiveEvent::ended;
  }
  const std::uint64_t count = packets_.load(std::memory_order_relaxed);
  if (options_.packet_limit != 0 && count >= options_.packet_limit) {
    end_reason_ = EndReason::packet_limit;
    return LiveEvent::ended;
  }
  if (options_.duration && std::chrono::steady_clock::now() >= deadline_) {
    end_reason_ = EndReason::duration;
    return LiveEvent::ended;
  }

  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  int status = pcap_next_ex(handle_, &header, &bytes);
  if (status == 0) {
    if (!wait_for_packets()) return LiveEvent::idle;
    status = pcap_next_ex(handle_, &header, &bytes);
    if (status == 0) return LiveEvent::idle;
  }
  if (status != 1) {
    throw LiveCaptureError(options_.interface + ": the capture failed: " + pcap_message(handle_));
  }
  const std::int64_t fraction = static_cast<std::int64_t>(header->ts.tv_usec);
  record.timestamp_ns = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                        (nanoseconds_ ? fraction : fraction * 1000);
  record.data = std::span<const std::uint8_t>(bytes, header->caplen);
  record.original_length = header->len < header->caplen ? header->caplen : header->len;
  record.link_type = link_type_;
  record.interface_known = true;
  packets_.store(count + 1, std::memory_order_relaxed);
  if (copy_ != nullptr) {
    copy_->write(record.timestamp_ns, record.data, record.original_length, record.link_type);
  }
  return LiveEvent::packet;
}

bool LiveCapture::wait_for_packets() {
  auto timeout = options_.wait;
  if (deadline_ != std::chrono::steady_clock::time_point::max()) {
    // Round up: a wait that ends just before the deadline would only come back to wait again.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    timeout = std::clamp(left, std::chrono::milliseconds(0), timeout);
  }
  pollfd descriptors[2] = {{selectable_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  const int ready = ::poll(descriptors, 2, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return false;
    throw LiveCaptureError(options_.interface +
                           ": cannot wait for packets: " + std::strerror(errno));
  }
  if ((descriptors[1].revents & POLLIN) != 0) {
    // Only the wake-up matters, not the count; a read that fails leaves the eventfd readable,
    // so the next poll returns at once. (A variable, not a (void) cast: glibc's
    // _FORTIFY_SOURCE, on in Debian's package builds, marks read() warn_unused_result.)
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t drained = ::read(wake_fd_, &count, sizeof count);
  }
  // An error condition on the socket (the interface went away) is read out by pcap_next_ex,
  // which then fails with pcap's message.
  return (descriptors[0].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) != 0;
}

void LiveCapture::request_stop() noexcept {
  stop_requested_.store(true, std::memory_order_relaxed);
  wake();
}

void LiveCapture::wake() noexcept {
  // Any thread, even a signal handler: a write to an eventfd is async-signal-safe.
  const std::uint64_t one = 1;
  // A write that fails finds the eventfd's counter full: it is readable, the wake-up is due.
  if (wake_fd_ >= 0) {
    [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
  }
}

std::optional<KernelCounts> LiveCapture::kernel_counts() const {
  pcap_stat stats{};
  if (pcap_stats(handle_, &stats) != 0) return std::nullopt;
  return KernelCounts{stats.ps_recv, stats.ps_drop, stats.ps_ifdrop};
}

}  // namespace pa::capture::live
