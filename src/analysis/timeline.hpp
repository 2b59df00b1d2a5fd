#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pa::analysis {

// What the timeline counts: the queries the name table counts (--qtype), and connection
// attempts (SPEC) to the watched port, whatever their destination.
enum class TimelineSeries : std::uint8_t { queries, connection_attempts };

// Counts per time bucket of one run's events, in bounded memory whatever the capture.
// Buckets are 2^e seconds wide (e from narrowest_bucket_exponent, 1/512 s, to
// widest_bucket_exponent) and anchored at timestamp 0: an event at t ns is in bucket floor(t /
// width_ns). At most max_buckets buckets lie from the first non-empty bucket to the last; when an
// event falls outside, the width doubles (bucket i becomes i >> 1) until the span fits. So the
// width is always the smallest one for which the events' span fits, which depends only on the set
// of timestamps: timelines of any split of the events merge into the timeline of all of them.
class Timeline {
 public:
  // 1/512 s = 1,953,125 ns, a whole number of ns.
  static constexpr int narrowest_bucket_exponent = -9;
  // About 273 years: any two int64 ns timestamps fit in 4 buckets.
  static constexpr int widest_bucket_exponent = 33;
  static constexpr std::size_t max_buckets = 64;

  struct Bucket {
    std::uint64_t queries = 0;
    std::uint64_t connection_attempts = 0;
    [[nodiscard]] bool holds_nothing() const noexcept {
      return queries == 0 && connection_attempts == 0;
    }
    friend bool operator==(const Bucket&, const Bucket&) = default;
  };

  // The width of a bucket at `exponent`, in nanoseconds.
  [[nodiscard]] static std::int64_t width_ns_at(int exponent) noexcept;
  // The bucket of `timestamp_ns` at `exponent` (floor division, so negative times work too).
  [[nodiscard]] static std::int64_t bucket_of(std::int64_t timestamp_ns, int exponent) noexcept;

  void add(std::int64_t timestamp_ns, TimelineSeries series, std::uint64_t events = 1);
  void fold_in(const Timeline& other);

  // Rebuilds a timeline from its parts (as the stream protocol carries them). False, leaving
  // the timeline empty, when they are not a timeline this class could hold: exponent out of
  // range, more than max_buckets buckets, an empty first or last bucket, or a first bucket
  // whose span does not fit the int64 range.
  bool adopt_decoded(int exponent, std::int64_t first_bucket, std::vector<Bucket> buckets);

  [[nodiscard]] bool has_no_buckets() const noexcept { return buckets_.empty(); }
  [[nodiscard]] int bucket_width_exponent() const noexcept { return exponent_; }
  [[nodiscard]] std::int64_t bucket_width_ns() const noexcept { return width_ns_at(exponent_); }
  [[nodiscard]] std::int64_t first_bucket() const noexcept { return first_bucket_; }
  // From the first non-empty bucket to the last, the empty ones between included.
  [[nodiscard]] const std::vector<Bucket>& timeline_buckets() const noexcept { return buckets_; }
  [[nodiscard]] std::uint64_t total(TimelineSeries series) const noexcept;

  friend bool operator==(const Timeline&, const Timeline&) = default;

 private:
  // Doubles the width once: pairs of buckets merge.
  void double_bucket_width();
  // Makes room for bucket `index` (at the current width), widening as needed.
  void make_room_for_bucket(std::int64_t index);

  int exponent_ = narrowest_bucket_exponent;
  std::int64_t first_bucket_ = 0;
  std::vector<Bucket> buckets_;  // first and last non-empty, at most max_buckets
};

}  // namespace pa::analysis
