#include "analysis/timeline.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace pa::analysis {

namespace {

constexpr std::int64_t smallest_width_ns = 1'953'125;  // 10^9 / 2^9

void add_to(Timeline::Bucket& into, const Timeline::Bucket& from) noexcept {
  into.queries += from.queries;
  into.connection_attempts += from.connection_attempts;
}

}  // namespace

std::int64_t Timeline::width_ns_at(int exponent) noexcept {
  const int e = std::clamp(exponent, narrowest_bucket_exponent, widest_bucket_exponent);
  return smallest_width_ns << (e - narrowest_bucket_exponent);
}

std::int64_t Timeline::bucket_of(std::int64_t timestamp_ns, int exponent) noexcept {
  const std::int64_t width = width_ns_at(exponent);
  std::int64_t index = timestamp_ns / width;
  if (timestamp_ns % width < 0) --index;  // C++ division truncates; buckets floor
  return index;
}

void Timeline::double_bucket_width() {
  if (exponent_ >= widest_bucket_exponent) return;
  ++exponent_;
  if (buckets_.empty()) return;
  const std::int64_t old_first = first_bucket_;
  const std::int64_t old_last = old_first + static_cast<std::int64_t>(buckets_.size()) - 1;
  // >> on a negative number floors (C++20), as the division of bucket_of does.
  const std::int64_t new_first = old_first >> 1;
  const std::int64_t new_last = old_last >> 1;
  std::vector<Bucket> merged(static_cast<std::size_t>(new_last - new_first + 1));
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    const std::int64_t index = old_first + static_cast<std::int64_t>(i);
    add_to(merged[static_cast<std::size_t>((index >> 1) - new_first)], buckets_[i]);
  }
  buckets_ = std::move(merged);
  first_bucket_ = new_first;
}

void Timeline::make_room_for_bucket(std::int64_t index) {
  for (;;) {
    const std::int64_t last = first_bucket_ + static_cast<std::int64_t>(buckets_.size()) - 1;
    const std::int64_t low = std::min(first_bucket_, index);
    const std::int64_t high = std::max(last, index);
    if (high - low < static_cast<std::int64_t>(max_buckets) ||
        exponent_ >= widest_bucket_exponent) {
      if (index < first_bucket_) {
        buckets_.insert(buckets_.begin(), static_cast<std::size_t>(first_bucket_ - index),
                        Bucket{});
        first_bucket_ = index;
      } else if (index > last) {
        buckets_.resize(static_cast<std::size_t>(index - first_bucket_ + 1));
      }
      return;
    }
    double_bucket_width();
    index >>= 1;
  }
}

void Timeline::add(std::int64_t timestamp_ns, TimelineSeries series, std::uint64_t events) {
  if (events == 0) return;
  if (buckets_.empty()) {
    exponent_ = narrowest_bucket_exponent;
    first_bucket_ = bucket_of(timestamp_ns, exponent_);
    buckets_.assign(1, Bucket{});
  } else {
    make_room_for_bucket(bucket_of(timestamp_ns, exponent_));
  }
  Bucket& bucket =
      buckets_[static_cast<std::size_t>(bucket_of(timestamp_ns, exponent_) - first_bucket_)];
  if (series == TimelineSeries::queries) {
    bucket.queries += events;
  } else {
    bucket.connection_attempts += events;
  }
}

void Timeline::fold_in(const Timeline& other) {
  if (other.buckets_.empty()) return;
  if (buckets_.empty()) {
    *this = other;
    return;
  }
  Timeline theirs = other;
  for (;;) {
    while (exponent_ < theirs.exponent_) double_bucket_width();
    while (theirs.exponent_ < exponent_) theirs.double_bucket_width();
    const std::int64_t last = first_bucket_ + static_cast<std::int64_t>(buckets_.size()) - 1;
    const std::int64_t their_last =
        theirs.first_bucket_ + static_cast<std::int64_t>(theirs.buckets_.size()) - 1;
    const std::int64_t low = std::min(first_bucket_, theirs.first_bucket_);
    const std::int64_t high = std::max(last, their_last);
    if (high - low < static_cast<std::int64_t>(max_buckets) || exponent_ >= widest_bucket_exponent)
      break;
    double_bucket_width();
  }
  make_room_for_bucket(theirs.first_bucket_);
  make_room_for_bucket(theirs.first_bucket_ + static_cast<std::int64_t>(theirs.buckets_.size()) -
                       1);
  for (std::size_t i = 0; i < theirs.buckets_.size(); ++i) {
    const std::int64_t index = theirs.first_bucket_ + static_cast<std::int64_t>(i);
    add_to(buckets_[static_cast<std::size_t>(index - first_bucket_)], theirs.buckets_[i]);
  }
}

bool Timeline::adopt_decoded(int exponent, std::int64_t first_bucket, std::vector<Bucket> buckets) {
  *this = Timeline{};
  if (buckets.empty()) return true;
  if (exponent < narrowest_bucket_exponent || exponent > widest_bucket_exponent) return false;
  if (buckets.size() > max_buckets || buckets.front().holds_nothing() ||
      buckets.back().holds_nothing()) {
    return false;
  }
  const std::int64_t lowest = bucket_of(std::numeric_limits<std::int64_t>::min(), exponent);
  const std::int64_t highest = bucket_of(std::numeric_limits<std::int64_t>::max(), exponent);
  const auto extra = static_cast<std::int64_t>(buckets.size()) - 1;
  if (first_bucket < lowest || first_bucket > highest - extra) return false;
  exponent_ = exponent;
  first_bucket_ = first_bucket;
  buckets_ = std::move(buckets);
  return true;
}

std::uint64_t Timeline::total(TimelineSeries series) const noexcept {
  std::uint64_t sum = 0;
  for (const Bucket& bucket : buckets_) {
    sum += series == TimelineSeries::queries ? bucket.queries : bucket.connection_attempts;
  }
  return sum;
}

}  // namespace pa::analysis
