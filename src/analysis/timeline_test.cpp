#include "analysis/timeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace pa::analysis {
namespace {

constexpr std::int64_t second_ns = 1'000'000'000;

struct TimedEvent {
  std::int64_t timestamp_ns = 0;
  TimelineSeries series = TimelineSeries::queries;
};

Timeline timeline_of(const std::vector<TimedEvent>& events) {
  Timeline timeline;
  for (const TimedEvent& event : events) timeline.add(event.timestamp_ns, event.series);
  return timeline;
}

// The smallest exponent at which the events' span fits in max_buckets buckets, by search.
int smallest_fitting_exponent(const std::vector<TimedEvent>& events) {
  for (int e = Timeline::narrowest_bucket_exponent; e <= Timeline::widest_bucket_exponent; ++e) {
    std::int64_t low = std::numeric_limits<std::int64_t>::max();
    std::int64_t high = std::numeric_limits<std::int64_t>::min();
    for (const TimedEvent& event : events) {
      low = std::min(low, Timeline::bucket_of(event.timestamp_ns, e));
      high = std::max(high, Timeline::bucket_of(event.timestamp_ns, e));
    }
    if (high - low < static_cast<std::int64_t>(Timeline::max_buckets)) return e;
  }
  return Timeline::widest_bucket_exponent;
}

TEST(Timeline, HasNoBucketsBeforeAnyEvent) {
  const Timeline timeline;
  EXPECT_TRUE(timeline.has_no_buckets());
  EXPECT_EQ(timeline.total(TimelineSeries::queries), 0u);
}

TEST(Timeline, PutsOneEventInTheNarrowestBucket) {
  Timeline timeline;
  timeline.add(5 * second_ns, TimelineSeries::connection_attempts);
  EXPECT_EQ(timeline.bucket_width_exponent(), Timeline::narrowest_bucket_exponent);
  EXPECT_EQ(timeline.bucket_width_ns(), 1'953'125);
  EXPECT_EQ(timeline.first_bucket(), 5 * 512);
  ASSERT_EQ(timeline.timeline_buckets().size(), 1u);
  EXPECT_EQ(timeline.timeline_buckets()[0].connection_attempts, 1u);
  EXPECT_EQ(timeline.timeline_buckets()[0].queries, 0u);
}

TEST(Timeline, WidensToTheSmallestPowerOfTwoThatFitsTheSpan) {
  // One query a second for ten seconds: 9 s / 63 buckets needs more than 1/8 s, so 1/4 s.
  Timeline timeline;
  for (std::int64_t s = 0; s < 10; ++s) timeline.add(s * second_ns, TimelineSeries::queries);
  EXPECT_EQ(timeline.bucket_width_exponent(), -2);
  EXPECT_EQ(timeline.bucket_width_ns(), second_ns / 4);
  EXPECT_EQ(timeline.first_bucket(), 0);
  ASSERT_EQ(timeline.timeline_buckets().size(), 37u);
  for (std::size_t i = 0; i < 37; ++i) {
    EXPECT_EQ(timeline.timeline_buckets()[i].queries, i % 4 == 0 ? 1u : 0u) << i;
  }
  EXPECT_EQ(timeline.total(TimelineSeries::queries), 10u);
}

TEST(Timeline, MergesPairsOfBucketsWhenTheWidthDoubles) {
  // 64 one-second buckets fit; a 65th second doubles the width and pairs [0,1], [2,3], ... merge.
  Timeline timeline;
  for (std::int64_t s = 0; s < 64; ++s) timeline.add(s * second_ns, TimelineSeries::queries);
  EXPECT_EQ(timeline.bucket_width_exponent(), 0);
  EXPECT_EQ(timeline.timeline_buckets().size(), 64u);
  timeline.add(64 * second_ns, TimelineSeries::connection_attempts);
  EXPECT_EQ(timeline.bucket_width_exponent(), 1);
  ASSERT_EQ(timeline.timeline_buckets().size(), 33u);
  for (std::size_t i = 0; i < 32; ++i) EXPECT_EQ(timeline.timeline_buckets()[i].queries, 2u);
  EXPECT_EQ(timeline.timeline_buckets()[32].queries, 0u);
  EXPECT_EQ(timeline.timeline_buckets()[32].connection_attempts, 1u);
}

TEST(Timeline, FloorsNegativeTimestampsIntoTheBucketBeforeZero) {
  EXPECT_EQ(Timeline::bucket_of(-1, 0), -1);
  EXPECT_EQ(Timeline::bucket_of(-second_ns, 0), -1);
  EXPECT_EQ(Timeline::bucket_of(-second_ns - 1, 0), -2);
  EXPECT_EQ(Timeline::bucket_of(0, 0), 0);
  EXPECT_EQ(Timeline::bucket_of(second_ns - 1, 0), 0);
  Timeline timeline;
  timeline.add(-1, TimelineSeries::queries);
  timeline.add(0, TimelineSeries::queries);
  EXPECT_EQ(timeline.bucket_width_exponent(), Timeline::narrowest_bucket_exponent);
  EXPECT_EQ(timeline.first_bucket(), -1);
  ASSERT_EQ(timeline.timeline_buckets().size(), 2u);
  EXPECT_EQ(timeline.timeline_buckets()[0].queries, 1u);
  EXPECT_EQ(timeline.timeline_buckets()[1].queries, 1u);
}

TEST(Timeline, HoldsTheWholeInt64RangeInAFewBuckets) {
  Timeline timeline;
  timeline.add(std::numeric_limits<std::int64_t>::max(), TimelineSeries::queries);
  timeline.add(std::numeric_limits<std::int64_t>::min(), TimelineSeries::connection_attempts);
  timeline.add(0, TimelineSeries::queries);
  EXPECT_LE(timeline.timeline_buckets().size(), Timeline::max_buckets);
  EXPECT_LE(timeline.bucket_width_exponent(), Timeline::widest_bucket_exponent);
  EXPECT_EQ(timeline.bucket_width_exponent(),
            smallest_fitting_exponent({{std::numeric_limits<std::int64_t>::max()},
                                       {std::numeric_limits<std::int64_t>::min()},
                                       {0}}));
  EXPECT_EQ(timeline.total(TimelineSeries::queries), 2u);
  EXPECT_EQ(timeline.total(TimelineSeries::connection_attempts), 1u);
  EXPECT_FALSE(timeline.timeline_buckets().front().holds_nothing());
  EXPECT_FALSE(timeline.timeline_buckets().back().holds_nothing());
}

TEST(Timeline, MergedPartsOfAnySplitEqualTheTimelineOfTheWhole) {
  std::mt19937_64 random(12);
  for (int round = 0; round < 200; ++round) {
    // Spans from a millisecond to years, some around zero, in any order.
    const int scale_bits = static_cast<int>(random() % 62);
    const std::int64_t span = std::int64_t{1} << scale_bits;
    const std::int64_t origin =
        static_cast<std::int64_t>(random() % (1ULL << 62)) - (std::int64_t{1} << 61);
    std::vector<TimedEvent> events(1 + random() % 300);
    for (TimedEvent& event : events) {
      event.timestamp_ns =
          origin + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(span));
      event.series =
          random() % 3 == 0 ? TimelineSeries::connection_attempts : TimelineSeries::queries;
    }
    const Timeline whole = timeline_of(events);
    EXPECT_EQ(whole.bucket_width_exponent(), smallest_fitting_exponent(events)) << round;
    EXPECT_LE(whole.timeline_buckets().size(), Timeline::max_buckets);

    // Split into 1 to 5 parts, each event to a random part, and merge the parts in any order.
    const std::size_t parts = 1 + random() % 5;
    std::vector<std::vector<TimedEvent>> split(parts);
    for (const TimedEvent& event : events) split[random() % parts].push_back(event);
    std::shuffle(split.begin(), split.end(), random);
    Timeline merged;
    for (const auto& part : split) merged.fold_in(timeline_of(part));
    EXPECT_EQ(merged, whole) << round;

    // And as a tree of mergers would: pairs of parts first, then the pairs' results.
    std::vector<Timeline> level;
    for (const auto& part : split) level.push_back(timeline_of(part));
    while (level.size() > 1) {
      std::vector<Timeline> next;
      for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
        next.push_back(level[i + 1]);
        next.back().fold_in(level[i]);
      }
      if (level.size() % 2 == 1) next.push_back(level.back());
      level = std::move(next);
    }
    EXPECT_EQ(level.front(), whole) << round;
  }
}

TEST(Timeline, MergingIntoAnEmptyTimelineCopiesAndAnEmptyOneChangesNothing) {
  Timeline some;
  some.add(3 * second_ns, TimelineSeries::queries);
  some.add(300 * second_ns, TimelineSeries::connection_attempts);
  Timeline copy;
  copy.fold_in(some);
  EXPECT_EQ(copy, some);
  copy.fold_in(Timeline{});
  EXPECT_EQ(copy, some);
}

TEST(Timeline, RebuildsFromItsPartsAndRejectsPartsItCouldNotHold) {
  Timeline original;
  original.add(10 * second_ns, TimelineSeries::queries);
  original.add(70 * second_ns, TimelineSeries::connection_attempts);
  Timeline rebuilt;
  EXPECT_TRUE(rebuilt.adopt_decoded(original.bucket_width_exponent(), original.first_bucket(),
                                    original.timeline_buckets()));
  EXPECT_EQ(rebuilt, original);

  const Timeline::Bucket one{1, 0};
  Timeline hostile;
  EXPECT_FALSE(hostile.adopt_decoded(Timeline::narrowest_bucket_exponent - 1, 0, {one}));
  EXPECT_FALSE(hostile.adopt_decoded(Timeline::widest_bucket_exponent + 1, 0, {one}));
  EXPECT_FALSE(
      hostile.adopt_decoded(0, 0, std::vector<Timeline::Bucket>(Timeline::max_buckets + 1, one)));
  EXPECT_FALSE(hostile.adopt_decoded(0, 0, {Timeline::Bucket{}, one}));
  EXPECT_FALSE(hostile.adopt_decoded(0, 0, {one, Timeline::Bucket{}}));
  // A first bucket whose buckets would run past the int64 range of timestamps.
  const std::int64_t highest = Timeline::bucket_of(std::numeric_limits<std::int64_t>::max(), 0);
  EXPECT_FALSE(hostile.adopt_decoded(0, highest, {one, one}));
  EXPECT_FALSE(hostile.adopt_decoded(0, std::numeric_limits<std::int64_t>::min(), {one}));
  EXPECT_TRUE(hostile.has_no_buckets());
  EXPECT_TRUE(hostile.adopt_decoded(0, highest, {one}));
  EXPECT_TRUE(hostile.adopt_decoded(0, 0, {}));
  EXPECT_TRUE(hostile.has_no_buckets());
}

}  // namespace
}  // namespace pa::analysis
