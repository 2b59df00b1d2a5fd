#pragma once

#include <optional>
#include <string>

#include "capture/capture_reader.hpp"
#include "capture/live/live_capture.hpp"

namespace pa::capture::live {

// A live capture seen as one more capture file, for code that takes CaptureReaders (the
// stream mode's provider): next() waits through idle spells and returns false once the
// capture has ended (duration, packet limit, stop request). It borrows the capture.
class LiveCaptureReader final : public CaptureReader {
 public:
  explicit LiveCaptureReader(LiveCapture& capture)
      : capture_(capture), path_(capture.options().interface) {}

  bool next(PacketRecord& record) override {
    for (;;) {
      switch (capture_.next(record)) {
        case LiveEvent::packet:
          return true;
        case LiveEvent::ended:
          return false;
        case LiveEvent::idle:
          break;
      }
    }
  }

  // A live capture has no cut-short records; failures are thrown as LiveCaptureError.
  [[nodiscard]] const std::optional<ReadProblem>& problem() const noexcept override {
    return no_problem_;
  }
  [[nodiscard]] std::uint64_t bytes_read() const noexcept override { return 0; }
  [[nodiscard]] bool decompressed() const noexcept override { return false; }
  [[nodiscard]] const std::string& path() const noexcept override { return path_; }

 private:
  LiveCapture& capture_;
  std::string path_;
  std::optional<ReadProblem> no_problem_;
};

}  // namespace pa::capture::live
