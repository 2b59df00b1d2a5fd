#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "capture/capture_reader.hpp"
#include "capture/packet_record.hpp"

namespace pa::capture {

// Several opened captures as one (SPEC, "Input and processing order"): a k-way merge on
// timestamps in which each file's records keep their own order, even where its timestamps go
// backwards, and a tie goes to the file named first. Only each file's next record is
// compared, so a file whose time goes backwards is still taken in record order; one file is
// passed through as it is.
//
// A record handed out stays valid until the next call to next(): only the reader it came
// from is advanced then, and every other reader's waiting record lives in its own buffer.
class CaptureMerger {
 public:
  explicit CaptureMerger(std::vector<std::unique_ptr<CaptureReader>> readers);

  // The next record in merged order, or false when every file has ended.
  bool next(PacketRecord& record);

  // Index (in the constructor's order) of the file the last record came from.
  [[nodiscard]] std::size_t file_index() const noexcept { return current_; }

  [[nodiscard]] std::size_t file_count() const noexcept { return readers_.size(); }
  [[nodiscard]] const CaptureReader& reader(std::size_t index) const { return *readers_[index]; }

  // Every file's problem (cut-short record, corrupt structure), in file order; complete once
  // next() returned false.
  [[nodiscard]] std::vector<ReadProblem> problems() const;

 private:
  // Whether file a's waiting record goes before file b's.
  [[nodiscard]] bool before(std::size_t a, std::size_t b) const noexcept {
    const std::int64_t ta = heads_[a].timestamp_ns;
    const std::int64_t tb = heads_[b].timestamp_ns;
    return ta < tb || (ta == tb && a < b);
  }
  void sift_down(std::size_t position) noexcept;

  std::vector<std::unique_ptr<CaptureReader>> readers_;
  std::vector<PacketRecord> heads_;  // each file's waiting record
  std::vector<std::size_t> heap_;    // files with a waiting record, earliest at the front
  std::size_t current_ = 0;
  bool started_ = false;
};

}  // namespace pa::capture
