// -j N must give -c 0's reports byte for byte whatever the number of threads and wherever the
// pieces of a file begin: on the real corpus, on generated captures of every container format,
// rotated and not, and on captures made to put a split point where it hurts.
#include "app/parallel_analysis.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "app/determinism_captures.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::app {
namespace {

namespace build = decode::test;
using determinism::render;
using determinism::Reports;

constexpr std::uint8_t udp_protocol = 17;
constexpr std::uint8_t tcp_protocol = 6;
const std::vector<unsigned> thread_counts = {1, 2, 3, 4, 7, 16};

void ignore(std::string_view) {}

struct Splits {
  std::uint64_t most_pieces = 0;
  std::uint64_t read_again = 0;
  bool one_thread = false;  // some count fell back to one thread
};

// Every thread count against -c 0, with pieces as small as `piece_bytes`.
Splits expect_same_reports(const std::vector<std::string>& paths,
                           const analysis::AnalysisOptions& options,
                           std::uint64_t piece_bytes = 512) {
  const Reports expected = render(analyze_captures(paths, options, ignore), options);
  Splits splits;
  for (const unsigned threads : thread_counts) {
    ParallelSettings settings;
    settings.workers = threads;
    settings.smallest_piece_bytes = piece_bytes;
    settings.account_always = true;
    CaptureAnalysis analysis = analyze_captures_in_parallel(paths, options, settings, ignore);
    EXPECT_TRUE(analysis.summary.work_split) << "-j " << threads;
    if (!analysis.summary.work_split) continue;
    const report::WorkSplit split = *analysis.summary.work_split;
    EXPECT_LE(split.workers, threads);
    splits.most_pieces = std::max(splits.most_pieces, split.pieces);
    splits.read_again += split.pieces_read_again;
    if (threads > 1) splits.one_thread = splits.one_thread || !split.one_thread_because.empty();
    analysis.summary.work_split.reset();
    const Reports got = render(analysis, options);
    EXPECT_EQ(got.text, expected.text) << "-j " << threads << " " << paths.front();
    EXPECT_EQ(got.json, expected.json) << "-j " << threads << " " << paths.front();
    EXPECT_EQ(got.csv, expected.csv) << "-j " << threads;
    EXPECT_EQ(got.html, expected.html) << "-j " << threads;
  }
  return splits;
}

class ParallelDeterminism : public testing::TestWithParam<std::string> {};

TEST_P(ParallelDeterminism, GivesTheOneThreadReportForEveryThreadCount) {
  const std::string path = std::string(PA_SHARED_DIR) + "/corpus/real/" + GetParam();
  const Splits splits = expect_same_reports({path}, analysis::AnalysisOptions{});
  // A classic pcap file of a few KiB and records is split into several pieces; pcapng stays
  // whole (tcpdump__dns_fwdptr.pcap is one record of 63 KB).
  if (GetParam().ends_with(".pcap") && std::filesystem::file_size(path) > 8192 &&
      GetParam() != "tcpdump__dns_fwdptr.pcap") {
    EXPECT_GT(splits.most_pieces, 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(RealCorpus, ParallelDeterminism,
                         testing::ValuesIn(determinism::corpus_files()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
                           }
                           return name;
                         });

TEST(ParallelDeterminismOptions, HoldsForTheWholeCorpusAsOneRunAndForEveryOption) {
  std::vector<std::string> paths;
  for (const auto& name : determinism::corpus_files()) {
    paths.push_back(std::string(PA_SHARED_DIR) + "/corpus/real/" + name);
  }
  // Their timestamps overlap: one thread, and says why.
  EXPECT_TRUE(expect_same_reports(paths, analysis::AnalysisOptions{}).one_thread);
  const std::string real = std::string(PA_SHARED_DIR) + "/corpus/real/";
  analysis::AnalysisOptions options;
  options.query_types = {};
  options.group_by = analysis::NameGrouping::registrable_domain;
  options.top = 5;
  expect_same_reports({real + "pcpp__DnsPackets.pcap"}, options);
  options = {};
  options.preset_addresses = {*base::IpAddress::parse("74.125.95.104")};
  options.learn_from_dns = false;
  options.watch_host = "www.espn.com";
  expect_same_reports({real + "pcpp__example2.pcap"}, options);
}

TEST(ParallelDeterminismGenerated, HoldsOnEveryFormatRotatedOrNot) {
  const std::string generator = PA_GENERATOR;
  if (!std::filesystem::exists(generator)) GTEST_SKIP() << "no generator at " << generator;
  const pa::test::TempDir dir;
  for (const char* format : {"pcap", "pcap-ns", "pcapng"}) {
    for (const bool rotated : {false, true}) {
      const std::string path = dir.file(std::string("generated.") + format);
      const std::string command = generator + " --seed 5 --size 4000000 --format " + format +
                                  (rotated ? " --rotate 4" : "") + " -o " + path + " > /dev/null";
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
      std::vector<std::string> paths;
      if (rotated) {
        for (int i = 1; i <= 4; ++i) paths.push_back(path + std::to_string(i));
      } else {
        paths.push_back(path);
      }
      const Splits splits = expect_same_reports(paths, analysis::AnalysisOptions{}, 64 << 10);
      // A single pcapng file is read whole, on one thread; rotated, a thread per file.
      const bool pcapng = std::string(format) == "pcapng";
      EXPECT_EQ(splits.one_thread, pcapng && !rotated) << format;
      EXPECT_GE(splits.most_pieces, rotated ? 4u : 1u) << format;
      if (!pcapng) {
        EXPECT_GT(splits.most_pieces, 4u) << format;
      }
    }
  }
}

TEST(ParallelDeterminismBounds, HoldsWhereReassemblyReachesItsBounds) {
  const pa::test::TempDir dir;
  const std::string path = dir.file("flood.pcap");
  determinism::write_reassembly_flood(path);
  EXPECT_GT(expect_same_reports({path}, analysis::AnalysisOptions{}, 16 << 10).most_pieces, 8u);
}

// A payload that is itself a chain of plausible pcap record headers, which ends exactly where
// the record that holds it does: a split point inside it is guessed at a record that is not
// one, and the chain goes on into the real records after it.
build::Packet pcap_lookalike(std::uint32_t seconds) {
  build::Packet bytes;
  bytes.reserve(12 * 216);
  const build::Packet data(200, 0xEE);
  const auto put32 = [&bytes](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  for (int i = 0; i < 12; ++i) {
    put32(seconds);
    put32(0);
    put32(200);
    put32(200);
    bytes.insert(bytes.end(), data.begin(), data.end());
  }
  return bytes;
}

build::V4 client(std::uint32_t i) {
  return build::V4{10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
}

std::vector<std::uint8_t> query(const std::string& name) {
  dns::testing::TestMessage message;
  message.header(dns::testing::standard_query, 1, 0).question(name);
  return message.vector();
}

// DNS-over-TCP messages in two segments and UDP queries in two fragments, with a pcap
// lookalike between the two halves of each; the watched host learned part-way, and
// connections to it before and after.
constexpr std::uint32_t hazard_conversations = 300;
void write_split_hazards(const std::string& path, std::int64_t first_ns = 1'700'000'000) {
  auto writer = capture::CaptureWriter::create(path, capture::CaptureFormat::pcap,
                                               capture::LinkType::ethernet);
  std::int64_t time_ns = first_ns * 1'000'000'000;
  const auto write = [&](const build::Packet& frame) {
    time_ns += 1'000'000;
    writer->write(time_ns, frame, capture::LinkType::ethernet);
  };
  const build::V4 google{203, 0, 113, 7};
  const auto syn = [&](std::uint32_t i) {
    write(build::ethernet(0x0800, build::ipv4(tcp_protocol,
                                              build::tcp(static_cast<std::uint16_t>(20000 + i), 80,
                                                         1, decode::tcp_flag::syn, {}),
                                              1, 0, {}, client(i), google)));
  };
  const auto lookalike = [&](std::uint32_t i) {
    write(build::ethernet(
        0x0800, build::ipv4(udp_protocol, build::udp(9999, 9999, pcap_lookalike(1000 + i)), 1, 0,
                            {}, client(i), build::server4)));
  };
  for (std::uint32_t i = 0; i < hazard_conversations; ++i) {
    if (i == hazard_conversations / 2) {
      dns::testing::TestMessage answer;
      answer.header(dns::testing::standard_response, 1, 1)
          .question("www.google.com")
          .a("www.google.com", {203, 0, 113, 7});
      write(build::ethernet(0x0800, build::ipv4(udp_protocol, build::udp(53, 5353, answer.vector()),
                                                1, 0, {}, build::server4, client(i))));
    }
    syn(i);
    // DNS over TCP: the frame's first 9 bytes, a lookalike, then the rest.
    const build::Packet frame = build::dns_tcp_frame(query("tcp" + std::to_string(i) + ".example"));
    const auto segment = [&](std::uint32_t sequence, const build::Packet& payload) {
      write(build::ethernet(
          0x0800, build::ipv4(tcp_protocol,
                              build::tcp(static_cast<std::uint16_t>(30000 + i), 53, sequence,
                                         decode::tcp_flag::ack | decode::tcp_flag::psh, payload),
                              1, 0, {}, client(i), build::server4)));
    };
    segment(1001, build::Packet(frame.begin(), frame.begin() + 9));
    lookalike(i);
    segment(1010, build::Packet(frame.begin() + 9, frame.end()));
    // A fragmented UDP query: 16 bytes with MF, a lookalike, the rest.
    const build::Packet datagram = build::udp(static_cast<std::uint16_t>(40000 + i), 53,
                                              query("frag" + std::to_string(i) + ".example"));
    const auto fragment = [&](const build::Packet& part, std::uint16_t flags_offset) {
      write(build::ethernet(0x0800, build::ipv4(udp_protocol, part, static_cast<std::uint16_t>(i),
                                                flags_offset, {}, client(i), build::server4)));
    };
    fragment(build::Packet(datagram.begin(), datagram.begin() + 16), 0x2000);
    lookalike(i + 1);
    fragment(build::Packet(datagram.begin() + 16, datagram.end()), 16 / 8);
  }
  writer->close();
}

TEST(ParallelDeterminismHazards, HoldsForMessagesAndFragmentsAcrossSplitsAndLookalikeHeaders) {
  const pa::test::TempDir dir;
  const std::string path = dir.file("hazards.pcap");
  write_split_hazards(path);
  const CaptureAnalysis one = analyze_captures({path}, analysis::AnalysisOptions{}, ignore);
  // Every message was put together, and the watched host counted only after it was learned.
  EXPECT_EQ(one.result.dns_messages, 2 * hazard_conversations + 1);
  EXPECT_EQ(one.result.source_ports.size(), hazard_conversations / 2);
  const Splits splits = expect_same_reports({path}, analysis::AnalysisOptions{}, 4096);
  EXPECT_GT(splits.most_pieces, 20u);
  EXPECT_GT(splits.read_again, 0u) << "no split point fell on a lookalike header";
}

std::vector<std::uint64_t> record_starts(const std::vector<std::uint8_t>& pcap) {
  std::vector<std::uint64_t> starts;
  std::uint64_t at = 24;
  while (at + 16 <= pcap.size()) {
    starts.push_back(at);
    std::uint32_t captured = 0;
    std::memcpy(&captured, pcap.data() + at + 8, 4);
    at += 16 + captured;
  }
  return starts;
}

TEST(ParallelDeterminismHazards, StopsWhereOneThreadStopsAtACorruptOrCutShortRecord) {
  const pa::test::TempDir dir;
  const std::string path = dir.file("hazards.pcap");
  write_split_hazards(path);
  auto bytes = pa::test::read_whole_file(path);
  const auto starts = record_starts(bytes);
  // A captured length over the 64 MiB limit in the middle: reading stops there.
  const std::string corrupt = dir.file("corrupt.pcap");
  auto broken = bytes;
  const std::uint32_t huge = 0x7fffffff;
  std::memcpy(broken.data() + starts[starts.size() / 2] + 8, &huge, 4);
  pa::test::write_whole_file(corrupt, broken);
  const CaptureAnalysis one = analyze_captures({corrupt}, analysis::AnalysisOptions{}, ignore);
  ASSERT_EQ(one.summary.warnings.size(), 1u);
  EXPECT_EQ(one.summary.packets_read, starts.size() / 2);
  expect_same_reports({corrupt}, analysis::AnalysisOptions{}, 4096);
  // The last record cut short.
  const std::string cut = dir.file("cut.pcap");
  bytes.resize(bytes.size() - 7);
  pa::test::write_whole_file(cut, bytes);
  expect_same_reports({cut}, analysis::AnalysisOptions{}, 4096);
}

// The progress line adds up what the readers report: a piece read again from its true start,
// or dropped after its file stopped at a problem, must count once, not twice.
TEST(ParallelProgress, CountsEveryRecordOnceWhenPiecesAreReadAgainOrDropped) {
  const pa::test::TempDir dir;
  const std::string path = dir.file("hazards.pcap");
  write_split_hazards(path);
  const auto expect_counted_once = [](const std::string& file,
                                      std::uint64_t bytes_expected) -> std::uint64_t {
    const CaptureAnalysis one = analyze_captures({file}, analysis::AnalysisOptions{}, ignore);
    std::uint64_t read_again = 0;
    for (const unsigned threads : {2u, 3u, 4u, 7u}) {
      ParallelSettings settings;
      settings.workers = threads;
      settings.smallest_piece_bytes = 4096;
      std::uint64_t bytes = 0;
      std::uint64_t packets = 0;
      settings.on_progress_totals = [&](std::uint64_t b, std::uint64_t p) {
        bytes = b;
        packets = p;
      };
      const CaptureAnalysis many =
          analyze_captures_in_parallel({file}, analysis::AnalysisOptions{}, settings, ignore);
      EXPECT_TRUE(many.summary.work_split) << "-j " << threads;
      if (many.summary.work_split) read_again += many.summary.work_split->pieces_read_again;
      EXPECT_EQ(packets, one.summary.packets_read) << "-j " << threads << " " << file;
      if (bytes_expected != 0) {
        EXPECT_EQ(bytes, bytes_expected) << "-j " << threads;
      }
    }
    return read_again;
  };
  EXPECT_GT(expect_counted_once(path, std::filesystem::file_size(path) - 24), 0u)
      << "no piece was read again: the test proves nothing";
  // Reading stops at a corrupt record half-way: the pieces after it are dropped.
  auto bytes = pa::test::read_whole_file(path);
  const auto starts = record_starts(bytes);
  const std::uint32_t huge = 0x7fffffff;
  std::memcpy(bytes.data() + starts[starts.size() / 2] + 8, &huge, 4);
  const std::string corrupt = dir.file("corrupt.pcap");
  pa::test::write_whole_file(corrupt, bytes);
  expect_counted_once(corrupt, 0);
}

TEST(ParallelDeterminismFiles, FallsBackToOneThreadOnlyWhenFilesOverlapInTime) {
  const pa::test::TempDir dir;
  // One file going back in time within itself, then a later one: the merged order is still
  // one file after the other.
  const std::string first = dir.file("first.pcap");
  const std::string later = dir.file("later.pcap");
  const std::string overlapping = dir.file("overlapping.pcap");
  write_split_hazards(first, 1'700'000'000);
  {
    auto bytes = pa::test::read_whole_file(first);
    const auto starts = record_starts(bytes);
    const std::uint32_t earlier = 1'600'000'000;
    for (std::size_t i = starts.size() / 2; i < starts.size(); i += 3) {
      std::memcpy(bytes.data() + starts[i], &earlier, 4);
    }
    pa::test::write_whole_file(first, bytes);
  }
  write_split_hazards(later, 1'700'001'000);
  write_split_hazards(overlapping, 1'700'000'001);
  const Splits after = expect_same_reports({first, later}, analysis::AnalysisOptions{}, 4096);
  EXPECT_FALSE(after.one_thread);
  EXPECT_GT(after.most_pieces, 40u);
  EXPECT_TRUE(
      expect_same_reports({first, overlapping}, analysis::AnalysisOptions{}, 4096).one_thread);
}

}  // namespace
}  // namespace pa::app
