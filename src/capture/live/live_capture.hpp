#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/capture_writer.hpp"
#include "capture/link_type.hpp"
#include "capture/packet_record.hpp"

namespace pa::capture::live {

// A live capture that cannot start or cannot go on: no such interface, no permission, the
// interface is down, a filter that does not compile, a read error. The message is one
// sentence that names the interface (or the filter) and, for permissions, what is missing.
class LiveCaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LiveCaptureOptions {
  std::string interface;  // as pcap names it; "any" captures on every interface (Linux)
  std::string filter;     // BPF, as tcpdump takes it; empty captures everything
  std::uint32_t snap_length = 262144;
  bool promiscuous = true;
  std::uint32_t buffer_size_bytes = 0;  // 0 keeps libpcap's default (2 MiB on Linux)
  // How long one wait for packets may block before next() says idle, so that the caller can
  // look at its clocks and signals. Immediate mode is always on: a packet is handed out as
  // soon as it arrives, not when a kernel buffer fills.
  std::chrono::milliseconds wait = std::chrono::milliseconds(50);
  // When the capture ends by itself; a stop request from another thread always ends it too.
  std::optional<std::chrono::nanoseconds> duration;
  std::uint64_t packet_limit = 0;  // 0: no limit
};

// The kernel's counts of pcap_stats(3PCAP), since the capture started.
struct KernelCounts {
  std::uint64_t received = 0;           // packets that passed the filter
  std::uint64_t dropped = 0;            // dropped by the kernel: no room in the buffer
  std::uint64_t interface_dropped = 0;  // dropped by the interface or its driver
};

enum class LiveEvent : std::uint8_t {
  packet,  // a record was filled in
  idle,    // nothing arrived in one wait, or wake() was called
  ended,   // the duration passed, the packet limit was reached, or a stop was requested
};

enum class EndReason : std::uint8_t { none, packet_limit, duration, stop_requested };

// One interface that pcap can capture on, as `-D` lists it.
struct InterfaceInfo {
  std::string name;
  std::string description;
  bool loopback = false;
  bool up = false;
  bool running = false;
};

// Every interface pcap can open, in pcap's order. Throws LiveCaptureError.
std::vector<InterfaceInfo> list_interfaces();

// One interface opened for capture with libpcap. Records carry the packet's capture
// timestamp (nanoseconds where the platform gives them) and the interface's link type in
// its LINKTYPE_ numbering, so they are the records a capture file of the same packets holds.
//
// next() is called from one thread; request_stop() and wake() from any thread (the signal
// watcher), so that a signal ends a wait at once instead of after the next packet.
class LiveCapture {
 public:
  // Opens and activates the interface and installs the filter. Throws LiveCaptureError.
  explicit LiveCapture(LiveCaptureOptions options);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // The next packet, idle, or ended (for good: later calls say ended again). A record's bytes
  // stay valid until the next call. With a copy set, each packet is written there before it
  // is handed out. Throws LiveCaptureError when the interface fails (it went down, say).
  LiveEvent next(PacketRecord& record);

  void request_stop() noexcept;
  void wake() noexcept;

  // Writes every packet handed out from now on to `writer` too (for -w); nullptr stops that.
  void copy_to(CaptureWriter* writer) noexcept { copy_ = writer; }

  // The kernel's counts now, or nothing where the platform has none.
  [[nodiscard]] std::optional<KernelCounts> kernel_counts() const;

  [[nodiscard]] const LiveCaptureOptions& options() const noexcept { return options_; }
  [[nodiscard]] LinkType link_type() const noexcept { return link_type_; }
  [[nodiscard]] bool nanosecond_timestamps() const noexcept { return nanoseconds_; }
  // Packets handed out so far; safe to read from any thread.
  [[nodiscard]] std::uint64_t packets() const noexcept {
    return packets_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] EndReason end_reason() const noexcept { return end_reason_; }
  // What pcap_activate warned about (promiscuous mode not supported, say), as sentences.
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  LiveCaptureOptions options_;
  pcap_t* handle_ = nullptr;
  LinkType link_type_ = LinkType::ethernet;
  bool nanoseconds_ = false;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<bool> stop_requested_{false};
  EndReason end_reason_ = EndReason::none;
  CaptureWriter* copy_ = nullptr;
  std::vector<std::string> warnings_;
  int selectable_fd_ = -1;  // pcap's, readable when packets wait
  int wake_fd_ = -1;        // an eventfd that wake() writes to

  // Waits up to one wait (or to the deadline) for packets; false when none came.
  bool wait_for_packets();
};

// LINKTYPE_ value (what files hold) of a pcap DLT_ value (what pcap_datalink returns); they
// differ only for a few old types whose DLT_ numbers vary by platform.
LinkType link_type_of_dlt(int dlt) noexcept;

}  // namespace pa::capture::live
