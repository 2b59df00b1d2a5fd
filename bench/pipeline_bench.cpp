// Micro-benchmarks of the hot paths, on the bundled sample's packets held in memory (so the
// disk is out of the picture): record reading, link+IP+TCP/UDP decoding with reassembly, the
// whole analysis, and DNS name decoding. Each reports packets (or names) per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analyzer.hpp"
#include "capture/capture_reader.hpp"
#include "decode/packet_events.hpp"
#include "dns/dns_message.hpp"
#include "dns/dns_name.hpp"
#include "reassembly/packet_dissector.hpp"

namespace {

const std::string sample_path = std::string(PA_SOURCE_DIR) + "/samples/office.pcap1";

// A record with its own copy of the bytes, so the reader's buffer can move on.
struct HeldRecord {
  pa::capture::PacketRecord record;
  std::vector<std::uint8_t> bytes;
};

const std::vector<HeldRecord>& sample_records() {
  static const std::vector<HeldRecord> records = [] {
    std::vector<HeldRecord> held;
    auto reader = pa::capture::CaptureReader::open(sample_path);
    pa::capture::PacketRecord record;
    while (reader->next(record)) {
      held.push_back({record, {record.data.begin(), record.data.end()}});
    }
    for (HeldRecord& h : held) h.record.data = h.bytes;
    return held;
  }();
  return records;
}

// Counts events and keeps the DNS messages it sees, for the name benchmark.
class CountingEvents final : public pa::decode::PacketEvents {
 public:
  void on_tcp_segment(const pa::decode::PacketContext&,
                      const pa::decode::TcpSegmentHeader& segment) override {
    flags_ += segment.flags;
  }
  void on_dns_message(const pa::decode::PacketContext&, std::span<const std::uint8_t> message,
                      pa::decode::DnsTransport, bool) override {
    if (keep_) messages_.emplace_back(message.begin(), message.end());
    ++dns_;
  }
  void on_drop(const pa::decode::PacketContext&, pa::base::Drop) override { ++drops_; }

  bool keep_ = false;
  std::vector<std::vector<std::uint8_t>> messages_;
  std::uint64_t flags_ = 0, dns_ = 0, drops_ = 0;
};

void BM_ReadRecords(benchmark::State& state) {
  std::uint64_t packets = 0, bytes = 0;
  for (auto _ : state) {
    auto reader = pa::capture::CaptureReader::open(sample_path);
    pa::capture::PacketRecord record;
    while (reader->next(record)) {
      ++packets;
      bytes += record.data.size();
    }
  }
  state.counters["packets/s"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_ReadRecords)->Unit(benchmark::kMillisecond);

void BM_Dissect(benchmark::State& state) {
  const auto& records = sample_records();
  std::uint64_t packets = 0;
  for (auto _ : state) {
    pa::reassembly::PacketDissector dissector;
    CountingEvents events;
    pa::decode::PacketContext context;
    for (const HeldRecord& h : records) {
      ++context.packet_number;
      context.timestamp_ns = h.record.timestamp_ns;
      dissector.dissect(h.record, context, events);
    }
    benchmark::DoNotOptimize(events.flags_);
    packets += records.size();
  }
  state.counters["packets/s"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Dissect)->Unit(benchmark::kMillisecond);

void BM_DissectAndAnalyze(benchmark::State& state) {
  const auto& records = sample_records();
  std::uint64_t packets = 0;
  for (auto _ : state) {
    pa::reassembly::PacketDissector dissector;
    pa::analysis::Analyzer analyzer(pa::analysis::AnalysisOptions{});
    pa::decode::PacketContext context;
    for (const HeldRecord& h : records) {
      ++context.packet_number;
      context.timestamp_ns = h.record.timestamp_ns;
      dissector.dissect(h.record, context, analyzer);
    }
    benchmark::DoNotOptimize(analyzer.result().total_queries);
    packets += records.size();
  }
  state.counters["packets/s"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DissectAndAnalyze)->Unit(benchmark::kMillisecond);

void BM_DecodeQuestionNames(benchmark::State& state) {
  CountingEvents events;
  events.keep_ = true;
  {
    pa::reassembly::PacketDissector dissector;
    pa::decode::PacketContext context;
    for (const HeldRecord& h : sample_records()) {
      ++context.packet_number;
      dissector.dissect(h.record, context, events);
    }
  }
  std::uint64_t names = 0;
  pa::dns::DnsName name;
  for (auto _ : state) {
    for (const auto& message : events.messages_) {
      // The first question's name starts after the 12-byte header (RFC 1035 4.1.1).
      const auto end = pa::dns::decode_name(message, 12, name);
      benchmark::DoNotOptimize(end.ok());
      ++names;
    }
  }
  state.counters["names/s"] =
      benchmark::Counter(static_cast<double>(names), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeQuestionNames);

}  // namespace

BENCHMARK_MAIN();
