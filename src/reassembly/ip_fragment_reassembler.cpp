#include "reassembly/ip_fragment_reassembler.hpp"

#include <algorithm>
#include <cstring>

#include "reassembly/capture_clock.hpp"

namespace pa::reassembly {

using base::Drop;

std::size_t FragmentKeyHash::operator()(const FragmentKey& key) const noexcept {
  std::size_t h = key.source.hash();
  h = h * 31 + key.destination.hash();
  h = h * 31 + key.identification;
  return h * 31 + key.protocol;
}

void IpFragmentReassembler::erase(PendingList::iterator it) noexcept {
  index_.erase(it->key);
  pending_.erase(it);
}

void IpFragmentReassembler::expire(const decode::PacketContext& packet,
                                   decode::PacketEvents& events) noexcept {
  // The list is in arrival order; capture time mostly rises with it, and where it goes
  // backwards a datagram merely waits a little longer.
  while (!pending_.empty() &&
         later_by_more_than(packet.timestamp_ns, pending_.front().first_seen_ns, max_age_ns)) {
    erase(pending_.begin());
    ++counters_.datagrams_expired;
    events.on_drop(packet, Drop::fragment_expired);
  }
}

bool IpFragmentReassembler::fits(const Pending& datagram, const decode::FragmentInfo& fragment,
                                 base::Bytes payload) noexcept {
  const std::uint32_t begin = fragment.offset_bytes;
  const auto end = static_cast<std::uint32_t>(begin + payload.size());
  if (datagram.total_length >= 0) {
    if (end > datagram.total_length) return false;
    if (!fragment.more_fragments && end != datagram.total_length) return false;
  } else if (!fragment.more_fragments && !datagram.held.empty() &&
             datagram.held.back().second > end) {
    return false;  // a last fragment that ends before bytes already held
  }
  for (const auto& [held_begin, held_end] : datagram.held) {
    const std::uint32_t from = std::max(begin, held_begin);
    const std::uint32_t to = std::min(end, held_end);
    if (from < to && std::memcmp(datagram.bytes.data() + from, payload.data() + (from - begin),
                                 to - from) != 0) {
      return false;
    }
  }
  return true;
}

void IpFragmentReassembler::place(Pending& datagram, std::uint32_t offset, base::Bytes payload) {
  const auto end = static_cast<std::uint32_t>(offset + payload.size());
  if (datagram.bytes.size() < end) datagram.bytes.resize(end);
  if (!payload.empty()) std::memcpy(datagram.bytes.data() + offset, payload.data(), payload.size());

  // Merge [offset, end) into the sorted disjoint ranges.
  auto& held = datagram.held;
  auto it = std::lower_bound(held.begin(), held.end(), std::pair{offset, std::uint32_t{0}});
  if (it != held.begin() && std::prev(it)->second >= offset) --it;
  std::uint32_t begin = offset;
  std::uint32_t finish = end;
  auto last = it;
  while (last != held.end() && last->first <= finish) {
    begin = std::min(begin, last->first);
    finish = std::max(finish, last->second);
    ++last;
  }
  it = held.erase(it, last);
  held.insert(it, {begin, finish});
}

base::Result<FragmentOutcome> IpFragmentReassembler::add(const FragmentKey& key,
                                                         const decode::FragmentInfo& fragment,
                                                         base::Bytes payload,
                                                         const decode::PacketContext& packet,
                                                         decode::PacketEvents& events) noexcept {
  expire(packet, events);
  if (payload.size() > max_datagram_bytes ||
      fragment.offset_bytes > max_datagram_bytes - payload.size()) {
    ++counters_.fragments_rejected;
    return Drop::fragment_bad_offset;
  }

  auto found = index_.find(key);
  PendingList::iterator datagram;
  if (found == index_.end()) {
    if (pending_.size() >= max_pending_datagrams) {
      erase(pending_.begin());
      ++counters_.datagrams_evicted;
      events.on_drop(packet, Drop::fragment_evicted);
    }
    pending_.push_back(Pending{key, packet.timestamp_ns, {}, {}, -1});
    datagram = std::prev(pending_.end());
    index_.emplace(key, datagram);
  } else {
    datagram = found->second;
    if (!fits(*datagram, fragment, payload)) {
      ++counters_.fragments_rejected;
      return Drop::fragment_bad_offset;
    }
  }

  place(*datagram, fragment.offset_bytes, payload);
  if (!fragment.more_fragments) {
    datagram->total_length = fragment.offset_bytes + static_cast<std::int64_t>(payload.size());
  }
  const auto& held = datagram->held;
  if (datagram->total_length < 0 || held.size() != 1 || held.front().first != 0 ||
      held.front().second != datagram->total_length) {
    return FragmentOutcome{};
  }
  completed_.swap(datagram->bytes);
  completed_.resize(static_cast<std::size_t>(datagram->total_length));
  erase(datagram);
  ++counters_.datagrams_completed;
  return FragmentOutcome{true, completed_};
}

void IpFragmentReassembler::finish(const decode::PacketContext& packet,
                                   decode::PacketEvents& events) noexcept {
  while (!pending_.empty()) {
    erase(pending_.begin());
    ++counters_.datagrams_expired;
    events.on_drop(packet, Drop::fragment_expired);
  }
}

FragmentCounters IpFragmentReassembler::counters() const noexcept {
  FragmentCounters counters = counters_;
  counters.datagrams_pending = pending_.size();
  return counters;
}

}  // namespace pa::reassembly
