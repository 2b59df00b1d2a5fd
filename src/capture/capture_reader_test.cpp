#include "capture/capture_reader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <array>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

#include "capture/capture_writer.hpp"
#include "tests/support/capture_bytes.hpp"
#include "tests/support/read_capture.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::capture {
namespace {

using Bytes = std::vector<std::uint8_t>;
using test::read_capture;

Bytes gzip(const Bytes& plain) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper (zlib.h, deflateInit2).
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&stream, static_cast<uLong>(plain.size())));
  stream.next_in = const_cast<Bytef*>(plain.data());
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

Bytes zstd(const Bytes& plain) {
  Bytes out(ZSTD_compressBound(plain.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A pcapng file of `count` packets, ethernet and raw IP alternating, timestamps 0, 1, 2, ...
// seconds, each packet 100 bytes holding its number.
Bytes sample_capture(const test::TempDir& dir, int count, CaptureFormat format) {
  const std::string path = dir.file("sample");
  {
    auto writer = CaptureWriter::create(path, format, LinkType::ethernet);
    Bytes packet(100);
    for (int i = 0; i < count; ++i) {
      packet[0] = static_cast<std::uint8_t>(i);
      const LinkType link_type =
          format == CaptureFormat::pcapng && i % 2 == 1 ? LinkType::raw : LinkType::ethernet;
      writer->write(std::int64_t{i} * 1'000'000'000, packet, link_type);
    }
  }
  return test::read_whole_file(path);
}

std::string write_file(const test::TempDir& dir, const std::string& name, const Bytes& bytes) {
  const std::string path = dir.file(name);
  test::write_whole_file(path, bytes);
  return path;
}

std::string open_error(const std::string& path) {
  try {
    (void)CaptureReader::open(path);
  } catch (const CaptureError& e) {
    return e.what();
  }
  return "(no error)";
}

// Open errors --------------------------------------------------------------------------------

TEST(CaptureReader, NamesAMissingFile) {
  EXPECT_EQ(open_error("/nonexistent/x.pcap"), "/nonexistent/x.pcap: No such file or directory");
}

TEST(CaptureReader, NamesADirectory) {
  test::TempDir dir;
  EXPECT_EQ(open_error(dir.path().string()), dir.path().string() + ": is a directory");
}

TEST(CaptureReader, NamesAFileItMayNotRead) {
  test::TempDir dir;
  const std::string path = write_file(dir, "secret.pcap", {1, 2, 3, 4});
  std::filesystem::permissions(path, std::filesystem::perms::none);
  if (::geteuid() != 0) {
    EXPECT_EQ(open_error(path), path + ": Permission denied");
    return;
  }
  // Root reads every file: try as nobody, in a child.
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    ::_exit(open_error(path) == path + ": Permission denied" ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(CaptureReader, RefusesAnEmptyFile) {
  test::TempDir dir;
  const std::string path = write_file(dir, "empty.pcap", {});
  EXPECT_EQ(open_error(path), path + ": not a capture file (empty)");
}

TEST(CaptureReader, RefusesAFileShorterThanAMagicNumber) {
  test::TempDir dir;
  const std::string path = write_file(dir, "short.pcap", {0xD4, 0xC3, 0xB2});
  EXPECT_EQ(open_error(path), path + ": not a capture file (only 3 bytes)");
}

TEST(CaptureReader, RefusesAnUnknownMagicNumber) {
  test::TempDir dir;
  const std::string path = write_file(dir, "capture.pcap", {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
  EXPECT_EQ(open_error(path), path + ": not a capture file (unknown magic 0x7f454c46)");
}

TEST(CaptureReader, RefusesAPcapFileHeaderCutShort) {
  test::TempDir dir;
  Bytes header = sample_capture(dir, 0, CaptureFormat::pcap);
  header.resize(20);
  const std::string path = write_file(dir, "x.pcap", header);
  EXPECT_EQ(open_error(path), path + ": truncated pcap file header at byte 0 (20 of 24 bytes)");
}

// Compressed files -----------------------------------------------------------------------------

TEST(CaptureReader, ReadsGzipAndZstdCompressedCapturesOfEveryFormat) {
  test::TempDir dir;
  for (const CaptureFormat format :
       {CaptureFormat::pcap, CaptureFormat::pcap_ns, CaptureFormat::pcapng}) {
    // Large enough to need several buffer refills and decompressor calls.
    const Bytes plain = sample_capture(dir, 30000, format);
    const auto expected = read_capture(write_file(dir, "plain", plain));
    ASSERT_EQ(expected.records.size(), 30000u);
    for (const auto& [name, compressed] :
         std::map<std::string, Bytes>{{"gz", gzip(plain)}, {"zst", zstd(plain)}}) {
      const std::string path = write_file(dir, "sample." + name, compressed);
      auto reader = CaptureReader::open(path);
      const auto contents = read_capture(*reader);
      EXPECT_FALSE(contents.problem) << contents.problem->message;
      ASSERT_EQ(contents.records.size(), expected.records.size()) << name;
      for (std::size_t i = 0; i < expected.records.size(); ++i) {
        ASSERT_EQ(contents.records[i].data, expected.records[i].data) << name << " " << i;
        ASSERT_EQ(contents.records[i].timestamp_ns, expected.records[i].timestamp_ns);
        ASSERT_EQ(contents.records[i].link_type, expected.records[i].link_type);
      }
      EXPECT_EQ(reader->bytes_read(), plain.size());  // progress counts decompressed bytes
    }
  }
}

TEST(CaptureReader, ReadsConcatenatedGzipMembersAndZstdFrames) {
  test::TempDir dir;
  const Bytes plain = sample_capture(dir, 100, CaptureFormat::pcap);
  const auto middle = static_cast<std::ptrdiff_t>(plain.size() / 3);
  const Bytes first(plain.begin(), plain.begin() + middle);
  const Bytes second(plain.begin() + middle, plain.end());
  EXPECT_EQ(read_capture(write_file(dir, "two.gz", gzip(first) + gzip(second))).records.size(),
            100u);
  EXPECT_EQ(read_capture(write_file(dir, "two.zst", zstd(first) + zstd(second))).records.size(),
            100u);
  // Bytes after the last gzip member that start no other member are ignored, as by gzip(1).
  EXPECT_EQ(read_capture(write_file(dir, "junk.gz", gzip(plain) + Bytes{0, 0, 0})).records.size(),
            100u);
}

TEST(CaptureReader, ReportsCompressedDataCutShortWithTheDecompressedOffset) {
  test::TempDir dir;
  // 24 + 5000 * 116 bytes: several zstd blocks of 128 KiB, so that a cut leaves whole ones.
  const Bytes plain = sample_capture(dir, 5000, CaptureFormat::pcap);
  for (const auto& [name, kind] :
       std::map<std::string, std::string>{{"gz", "gzip"}, {"zst", "zstd"}}) {
    Bytes compressed = name == "gz" ? gzip(plain) : zstd(plain);
    compressed.resize(compressed.size() * 2 / 3);
    const std::string path = write_file(dir, "cut." + name, compressed);
    const auto contents = read_capture(path);
    ASSERT_TRUE(contents.problem) << name;
    EXPECT_GT(contents.records.size(), 0u);
    EXPECT_LT(contents.records.size(), 5000u);
    const std::uint64_t offset = 24 + contents.records.size() * 116;
    EXPECT_EQ(contents.problem->offset, offset);
    EXPECT_EQ(contents.problem->message,
              path + ": " + kind + " data cut short at byte " + std::to_string(offset) +
                  " of the decompressed capture; analyzed up to the last whole record");
  }
}

TEST(CaptureReader, ReportsCorruptCompressedDataAfterTheRecordsBeforeIt) {
  // The damage is in the check value at the end: every record comes out, then the problem.
  test::TempDir dir;
  const Bytes plain = sample_capture(dir, 1000, CaptureFormat::pcapng);
  Bytes gzipped = gzip(plain);
  gzipped[gzipped.size() - 8] ^= 0xFF;  // RFC 1952 2.3.1: CRC32, then ISIZE
  const std::string path = write_file(dir, "bad.gz", gzipped);
  const auto contents = read_capture(path);
  EXPECT_EQ(contents.records.size(), 1000u);
  ASSERT_TRUE(contents.problem);
  EXPECT_EQ(contents.problem->offset, plain.size());
  EXPECT_EQ(contents.problem->message,
            path + ": corrupt gzip data (incorrect data check) at byte " +
                std::to_string(plain.size()) +
                " of the decompressed capture; analyzed up to the last whole record");

  const Bytes larger = sample_capture(dir, 10000, CaptureFormat::pcap);
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
  Bytes zstd_compressed(ZSTD_compressBound(larger.size()));
  const std::size_t n = ZSTD_compress2(context, zstd_compressed.data(), zstd_compressed.size(),
                                       larger.data(), larger.size());
  ZSTD_freeCCtx(context);
  ASSERT_FALSE(ZSTD_isError(n));
  zstd_compressed.resize(n);
  zstd_compressed.back() ^= 0xFF;  // RFC 8878 3.1.1: the content checksum ends the frame
  const std::string zstd_path = write_file(dir, "bad.zst", zstd_compressed);
  const auto zstd_contents = read_capture(zstd_path);
  // libzstd does not say how much it wrote in a call that fails, so the output of that last
  // call (up to one buffer) is lost; what came before it is delivered.
  EXPECT_LE(zstd_contents.records.size(), 10000u);
  ASSERT_TRUE(zstd_contents.problem);
  EXPECT_EQ(zstd_contents.problem->message,
            zstd_path + ": corrupt zstd data (Restored data doesn't match checksum) at byte " +
                std::to_string(zstd_contents.problem->offset) +
                " of the decompressed capture; analyzed up to the last whole record");
}

TEST(CaptureReader, RefusesABadCompressedHeaderOrContentsAtOpen) {
  test::TempDir dir;
  const std::string bad_method = write_file(dir, "m.gz", {0x1F, 0x8B, 0x07, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(open_error(bad_method), bad_method +
                                        ": corrupt gzip data (unknown compression method) at "
                                        "byte 0 of the decompressed capture");
  const std::string empty = write_file(dir, "e.gz", gzip({}));
  EXPECT_EQ(open_error(empty), empty + ": not a capture file (empty inside the gzip data)");
  const std::string text = write_file(dir, "t.zst", zstd({'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(open_error(text),
            text + ": not a capture file (unknown magic 0x68656c6c inside the zstd data)");
  const std::string cut = write_file(dir, "c.zst", {0x28, 0xB5, 0x2F, 0xFD});
  EXPECT_EQ(open_error(cut), cut + ": zstd data cut short at byte 0 of the decompressed capture");
}

// Standard input ---------------------------------------------------------------------------

// Runs `body` in a child process whose standard input is `fd`; returns the child's exit
// status (the body's return value).
int with_standard_input(int fd, const std::function<int()>& body) {
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(fd, STDIN_FILENO);
    int status = 99;
    try {
      status = body();
    } catch (...) {
      status = 98;
    }
    ::_exit(status);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 97;
}

int count_standard_input() {
  auto reader = CaptureReader::open("-");
  if (reader->path() != "-") return 96;
  const auto contents = read_capture(*reader);
  if (contents.problem) return 95;
  return static_cast<int>(contents.records.size());
}

TEST(CaptureReader, ReadsStandardInputFromAFile) {
  test::TempDir dir;
  const std::string path =
      write_file(dir, "in.pcapng", sample_capture(dir, 42, CaptureFormat::pcapng));
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(with_standard_input(fd, count_standard_input), 42);
  ::close(fd);
}

TEST(CaptureReader, ReadsCompressedStandardInputFromAPipeInSmallWrites) {
  test::TempDir dir;
  const Bytes compressed = gzip(sample_capture(dir, 60, CaptureFormat::pcap));
  std::array<int, 2> pipe_fds{};
  ASSERT_EQ(::pipe(pipe_fds.data()), 0);
  // The child reads the read end; the parent writes 7 bytes at a time, so that every read
  // the reader makes comes back short.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  const pid_t writer = ::fork();
  if (writer == 0) {
    ::close(pipe_fds[0]);
    for (std::size_t at = 0; at < compressed.size(); at += 7) {
      const std::size_t n = std::min<std::size_t>(7, compressed.size() - at);
      if (::write(pipe_fds[1], compressed.data() + at, n) != static_cast<ssize_t>(n)) ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  EXPECT_EQ(with_standard_input(pipe_fds[0], count_standard_input), 60);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(writer, &status, 0);
  std::signal(SIGPIPE, previous);
}

TEST(CaptureReader, NamesStandardInputInMessages) {
  test::TempDir dir;
  const std::string path = write_file(dir, "junk", {'j', 'u', 'n', 'k'});
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(with_standard_input(fd,
                                [] {
                                  return open_error("-") ==
                                                 "standard input: not a capture file (unknown "
                                                 "magic 0x6a756e6b)"
                                             ? 0
                                             : 1;
                                }),
            0);
  ::close(fd);
}

// The corpus -----------------------------------------------------------------------------

TEST(CaptureReader, CountsWhatCapinfosCountsInEveryRealCorpusFile) {
  // Records and the sum of their original lengths, from
  // `capinfos -c -d -M -T -r corpus/real/*` (Wireshark 4.0.17). A file added to the corpus
  // fails here until its line is added.
  const std::map<std::string, std::pair<std::size_t, std::uint64_t>> expected{
      {"chrissanders__arppoison.pcapng", {165, 62233}},
      {"chrissanders__dns_axfr.pcapng", {11, 1819}},
      {"chrissanders__dns_lab.pcapng", {22, 2265}},
      {"chrissanders__http_espn.pcapng", {956, 652181}},
      {"chrissanders__http_google.pcapng", {12, 6162}},
      {"chrissanders__http_ip4and6.pcapng", {20, 2695}},
      {"chrissanders__nowebaccess1.pcapng", {9, 620}},
      {"chrissanders__nowebaccess2.pcapng", {8, 476}},
      {"chrissanders__nowebaccess3.pcapng", {5, 462}},
      {"chrissanders__synscan.pcapng", {2011, 116672}},
      {"dnscap__1qtcpnosyn.pcap", {8, 626}},
      {"dnscap__dnso1tcp-midmiss.pcap", {19, 1515}},
      {"dnscap__dnso1tcp.pcap", {212, 19096}},
      {"dnscap__dnsotcp-many1pkt.pcap", {10, 823}},
      {"dnscap__dnsotcp-manyopkts.pcap", {7, 568}},
      {"dnscap__frags.pcap", {495, 20750}},
      {"dnscap__sll2.pcap", {2, 871}},
      {"dnscap__vlan11.pcap", {133, 18608}},
      {"dnscollector__dnsdump_ip4_fragmented_query.pcap", {4, 322}},
      {"dnscollector__dnsdump_ip6_fragmented_query.pcap", {2, 221}},
      {"dnscollector__dnsdump_tcp_fastopen.pcap", {32, 2560}},
      {"dnscollector__dnsdump_udp+tcp.pcap", {12, 992}},
      {"dnscollector__dnsdump_udp_truncated+tcp_fragmented.pcap", {30, 37425}},
      {"dsc__1458044657.pcap", {8, 868}},
      {"packetq__sample-bigendian.pcap", {2, 228}},
      {"packetq__sample-rfc1035escape.pcap", {9, 889}},
      {"pcpp__DnsPackets.pcap", {464, 57942}},
      {"pcpp__DnsTooManyResources.pcap", {1, 748}},
      {"pcpp__GrePackets.pcap", {7, 725}},
      {"pcpp__QinQ_802.1_AD.pcapng", {1, 1500}},
      {"pcpp__dns_stack_overflow.pcap", {1, 1110}},
      {"pcpp__example2.pcap", {4709, 2856009}},
      {"pcpp__four_ipv6_http_streams.pcap", {81, 40670}},
      {"pcpp__linktype_ipv4.pcap", {2, 210}},
      {"pcpp__linktype_ipv6.pcap", {1, 80}},
      {"pcpp__many_interfaces-1.pcapng", {64, 15954}},
      {"pcpp__nanosecs_big_endian.pcap", {10, 2198}},
      {"pcpp__nflogPacket.pcap", {1, 112}},
      {"pcpp__null_loopback.pcap", {3, 924}},
      {"pcpp__one_http_stream_rst.pcap", {10, 2360}},
      {"pcpp__pcapng-example.pcapng", {159, 57465}},
      {"pcpp__raw_ip.pcap", {100, 31018}},
      {"pcpp__sll.pcap", {518, 451558}},
      {"tcpdump__LINKTYPE_IPV4_invalid.pcap", {1, 77}},
      {"tcpdump__dns-zlip-1.pcap", {1, 77}},
      {"tcpdump__dns_fwdptr.pcap", {1, 63207}},
      {"tcpdump__dns_tcp.pcap", {11, 922}},
      {"tcpdump__dns_udp.pcap", {2, 364}},
      {"tcpdump__dns_udp_2.pcap", {2, 364}},
      {"tcpdump__dns_udp_8053.pcap", {2, 348}},
      {"tcpdump__edns-opts.pcap", {42, 5353}},
      {"tcpdump__tcp-handshake-nano.pcap", {3, 220}},
      {"zeek__chksums_ip4-tcp-bad-chksum.pcap", {1, 54}},
      {"zeek__dns-edns-ecs.pcap", {89, 36843}},
      {"zeek__dns-inverse-query.pcap", {11, 752}},
      {"zeek__dns_conn-count-too-large.pcap", {1, 224}},
      {"zeek__dns_dns-invalid-names.pcap", {3, 174}},
      {"zeek__dns_mdns.pcap", {24, 4854}},
      {"zeek__dns_original_case.pcap", {1, 93}},
      {"zeek__erspan.pcap", {287, 113363}},
      {"zeek__http-vlan-0.pcap", {14, 6143}},
      {"zeek__icmp_icmp-destunreach-udp.pcap", {1, 194}},
      {"zeek__ipv4_fragmented-syn.pcap", {2, 108}},
      {"zeek__linux_dlt_sll2.pcap", {6, 552}},
      {"zeek__pcapng-multi-interface.pcapng", {6, 798}},
      {"zeek__snap-tcp.pcap", {8, 610}},
      {"zeek__tunnels_Teredo.pcap", {78, 25025}},
      {"zeek__var-services-std-ports.pcap", {263, 49573}},
      {"zeek__vlan-qinqinq.pcap", {14, 6255}},
      {"zeek__wikipedia-filtered-plus-udp.pcap", {65, 6827}},
      {"zeek__wikipedia.pcap", {136, 25260}},
      {"zeek__workshop_2011_browse.pcap", {121, 17949}},
  };
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PA_SHARED_DIR "/corpus/real")) {
    const std::string name = entry.path().filename().string();
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << name << " is not in the table";
    const auto contents = read_capture(entry.path().string());
    EXPECT_FALSE(contents.problem) << contents.problem->message;
    EXPECT_EQ(contents.records.size(), it->second.first) << name;
    std::uint64_t original_bytes = 0;
    for (const auto& record : contents.records) original_bytes += record.original_length;
    EXPECT_EQ(original_bytes, it->second.second) << name;
    ++files;
  }
  EXPECT_EQ(files, expected.size());
}

TEST(CaptureReader, FinishesEveryRobustnessCorpusFile) {
  // tcpdump's test captures: malformed packets, odd link types. None is malformed at the
  // file level: every one opens and reads to its end. 10183 records in all; per file, the
  // counts equal `capinfos -c -M` except for 14 files whose link types capinfos refuses.
  std::size_t files = 0;
  std::size_t records = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(PA_SHARED_DIR "/corpus/robustness/tcpdump")) {
    const auto contents = read_capture(entry.path().string());
    EXPECT_FALSE(contents.problem) << contents.problem->message;
    records += contents.records.size();
    ++files;
  }
  EXPECT_EQ(files, 830u);
  EXPECT_EQ(records, 10183u);
}

// Damaged files ----------------------------------------------------------------------------

// Every damage ends in a clean stop: an open error, or records and perhaps a problem; never a
// crash (the asan-ubsan preset runs this too), a hang, or more records than the file can hold.
TEST(CaptureReader, SurvivesRandomlyDamagedFiles) {
  test::TempDir dir;
  test::CaptureBytes sections;
  sections.section_header(true).interface_description(1).interface_description(101);
  const std::uint8_t power_of_two = 0x90;
  sections.interface_description(113, 0, sections.option(9, std::span(&power_of_two, 1)));
  const std::array<std::uint8_t, 7> packet{1, 2, 3, 4, 5, 6, 7};
  for (std::uint32_t i = 0; i < 20; ++i) {
    sections.enhanced_packet(i % 4, i, packet, 7).simple_packet(packet, 9);
    sections.obsolete_packet(static_cast<std::uint16_t>(i % 3), i, packet, 7);
  }
  sections.section_header(false).interface_description(1).enhanced_packet(0, 1, packet, 7);
  const std::vector<Bytes> originals{sample_capture(dir, 50, CaptureFormat::pcap),
                                     sample_capture(dir, 50, CaptureFormat::pcapng),
                                     sections.bytes()};
  const std::array<std::uint32_t, 8> interesting{0,          3,          12,         28,
                                                 0x7FFFFFFF, 0xFFFFFFFF, 0x0A0D0D0A, 0x1A2B3C4D};
  std::mt19937 random(12345);
  const std::string path = dir.file("damaged");
  for (int round = 0; round < 3000; ++round) {
    Bytes bytes = originals[static_cast<std::size_t>(round) % originals.size()];
    const int damages = 1 + static_cast<int>(random() % 4);
    for (int d = 0; d < damages; ++d) {
      const std::size_t at = random() % bytes.size();
      if (random() % 2 == 0) {
        bytes[at] = static_cast<std::uint8_t>(random());
      } else if (at + 4 <= bytes.size()) {
        const std::uint32_t value = interesting[random() % interesting.size()];
        std::memcpy(bytes.data() + at, &value, 4);
      }
    }
    if (random() % 3 == 0) bytes.resize(random() % bytes.size());
    if (round % 10 == 0) bytes = gzip(bytes);
    test::write_whole_file(path, bytes);
    std::unique_ptr<CaptureReader> reader;
    try {
      reader = CaptureReader::open(path);
    } catch (const CaptureError& e) {
      ASSERT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      continue;
    }
    PacketRecord record;
    std::size_t records = 0;
    while (reader->next(record)) {
      ASSERT_LE(++records, 1000u) << "round " << round;
    }
    if (reader->problem()) {
      ASSERT_EQ(reader->problem()->message.rfind(path + ": ", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace pa::capture
