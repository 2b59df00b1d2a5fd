#include "capture/pcap_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <numeric>

#include "capture/capture_reader.hpp"
#include "capture/capture_writer.hpp"
#include "tests/support/capture_bytes.hpp"
#include "tests/support/read_capture.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::capture {
namespace {

using test::CaptureBytes;
using test::read_capture;

const std::array<std::uint8_t, 5> packet{0x45, 0x00, 0x00, 0x05, 0xFF};

std::string write_file(const test::TempDir& dir, const std::string& name,
                       const std::vector<std::uint8_t>& bytes) {
  const std::string path = dir.file(name);
  test::write_whole_file(path, bytes);
  return path;
}

TEST(PcapReader, ReadsWhatTheWriterWroteInEveryFormat) {
  test::TempDir dir;
  const std::array<std::int64_t, 3> times{1'700'000'000'123'456'789, 1'700'000'001'000'000'001, 5};
  for (const CaptureFormat format :
       {CaptureFormat::pcap, CaptureFormat::pcap_ns, CaptureFormat::pcapng}) {
    const std::string path = dir.file("f" + std::to_string(static_cast<int>(format)));
    {
      auto writer = CaptureWriter::create(path, format, LinkType::raw);
      for (std::size_t i = 0; i < times.size(); ++i) {
        writer->write(times[i], std::span(packet).first(i + 1), 100, LinkType::raw);
      }
      writer->close();
    }
    const auto contents = read_capture(path);
    ASSERT_EQ(contents.records.size(), times.size());
    EXPECT_FALSE(contents.problem);
    const std::int64_t precision = format == CaptureFormat::pcap ? 1000 : 1;
    for (std::size_t i = 0; i < times.size(); ++i) {
      const auto& record = contents.records[i];
      EXPECT_EQ(record.timestamp_ns, times[i] / precision * precision);
      EXPECT_EQ(record.original_length, 100u);
      EXPECT_EQ(record.link_type, LinkType::raw);
      EXPECT_TRUE(record.interface_known);
      EXPECT_EQ(record.data, std::vector<std::uint8_t>(packet.begin(), packet.begin() + i + 1));
    }
  }
}

TEST(PcapReader, ReadsBothByteOrdersAndBothResolutions) {
  test::TempDir dir;
  for (const bool big_endian : {false, true}) {
    for (const std::uint32_t magic : {0xA1B2C3D4u, 0xA1B23C4Du}) {
      CaptureBytes b(big_endian);
      b.pcap_header(228, magic).pcap_record(10, 20, packet, 60).pcap_record(11, 999, {}, 0);
      const auto contents = read_capture(write_file(dir, "x.pcap", b.bytes()));
      ASSERT_EQ(contents.records.size(), 2u);
      const std::int64_t unit = magic == 0xA1B2C3D4u ? 1000 : 1;
      EXPECT_EQ(contents.records[0].timestamp_ns, 10'000'000'000 + 20 * unit);
      EXPECT_EQ(contents.records[1].timestamp_ns, 11'000'000'000 + 999 * unit);
      EXPECT_EQ(contents.records[0].link_type, LinkType::ipv4);
      EXPECT_EQ(contents.records[0].original_length, 60u);
      EXPECT_EQ(contents.records[0].data, std::vector<std::uint8_t>(packet.begin(), packet.end()));
      EXPECT_TRUE(contents.records[1].data.empty());
    }
  }
}

TEST(PcapReader, ReadsTheBigEndianCorpusFiles) {
  // Expected values from `tshark -T fields -e frame.time_epoch -e frame.len -e frame.cap_len`.
  const auto bigendian = read_capture(PA_SHARED_DIR "/corpus/real/packetq__sample-bigendian.pcap");
  ASSERT_EQ(bigendian.records.size(), 2u);
  EXPECT_EQ(bigendian.records[0].timestamp_ns, 1'382'970'487'688'018'000);
  EXPECT_EQ(bigendian.records[0].data.size(), 74u);
  EXPECT_EQ(bigendian.records[1].timestamp_ns, 1'382'970'487'704'674'000);
  EXPECT_EQ(bigendian.records[1].original_length, 154u);

  const auto nanoseconds =
      read_capture(PA_SHARED_DIR "/corpus/real/pcpp__nanosecs_big_endian.pcap");
  ASSERT_EQ(nanoseconds.records.size(), 10u);
  EXPECT_EQ(nanoseconds.records[0].timestamp_ns, 1'766'361'926'167'647'291);
  EXPECT_EQ(nanoseconds.records[1].timestamp_ns, 1'766'361'926'167'658'091);
  EXPECT_EQ(nanoseconds.records[2].original_length, 66u);
  EXPECT_FALSE(nanoseconds.problem);
}

TEST(PcapReader, ReadsModifiedPcapRecordHeadersOfTwentyFourBytes) {
  test::TempDir dir;
  for (const bool big_endian : {false, true}) {
    CaptureBytes b(big_endian);
    b.pcap_header(1, 0xA1B2CD34);
    // Record header: time, lengths, then interface index, protocol, packet type, padding.
    b.u32(3).u32(4).u32(5).u32(5).u32(2).u16(0x0800).u8(0).u8(0).raw(packet);
    b.u32(5).u32(6).u32(1).u32(1).u32(2).u16(0x0800).u8(0).u8(0).u8(0xAB);
    const auto contents = read_capture(write_file(dir, "m.pcap", b.bytes()));
    ASSERT_EQ(contents.records.size(), 2u);
    EXPECT_EQ(contents.records[0].timestamp_ns, 3'000'004'000);
    EXPECT_EQ(contents.records[0].data, std::vector<std::uint8_t>(packet.begin(), packet.end()));
    EXPECT_EQ(contents.records[1].data, std::vector<std::uint8_t>{0xAB});
    EXPECT_FALSE(contents.problem);
  }
}

TEST(PcapReader, MasksTheFrameCheckSequenceBitsOffTheLinkType) {
  // libpcap pcap-common.h: bits 26-31 say whether and how long an FCS is (here 4 bytes).
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header((4u << 28) | (1u << 26) | 1u).pcap_record(0, 0, packet, 5);
  const auto contents = read_capture(write_file(dir, "fcs.pcap", b.bytes()));
  ASSERT_EQ(contents.records.size(), 1u);
  EXPECT_EQ(contents.records[0].link_type, LinkType::ethernet);
}

TEST(PcapReader, ReadsVersionTwoTwoLengthsTheOtherWayRound) {
  // libpcap sf-pcap.c: before 2.3 the original length came first; 2.3 may have either.
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header(1, 0xA1B2C3D4, 2, 2);
  b.u32(0).u32(0).u32(60).u32(5).raw(packet);  // original 60, captured 5
  const auto old = read_capture(write_file(dir, "v22.pcap", b.bytes()));
  ASSERT_EQ(old.records.size(), 1u);
  EXPECT_EQ(old.records[0].data.size(), 5u);
  EXPECT_EQ(old.records[0].original_length, 60u);

  CaptureBytes c;
  c.pcap_header(1, 0xA1B2C3D4, 2, 3);
  c.u32(0).u32(0).u32(60).u32(5).raw(packet);  // swapped: captured above original
  c.u32(0).u32(0).u32(5).u32(60).raw(packet);  // in order
  const auto maybe = read_capture(write_file(dir, "v23.pcap", c.bytes()));
  ASSERT_EQ(maybe.records.size(), 2u);
  EXPECT_EQ(maybe.records[0].data.size(), 5u);
  EXPECT_EQ(maybe.records[1].data.size(), 5u);
  EXPECT_FALSE(maybe.problem);
}

TEST(PcapReader, KeepsARecordCapturingMoreThanItsOriginalLength) {
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header(1).pcap_record(0, 0, packet, 2);
  const auto contents = read_capture(write_file(dir, "over.pcap", b.bytes()));
  ASSERT_EQ(contents.records.size(), 1u);
  EXPECT_EQ(contents.records[0].data.size(), 5u);
  EXPECT_EQ(contents.records[0].original_length, 5u);  // raised to the captured length
}

TEST(PcapReader, ReportsTheLastRecordCutShortWithFileAndOffset) {
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header(1).pcap_record(1, 0, packet, 5).pcap_record(2, 0, packet, 5);
  auto bytes = b.bytes();
  for (const std::size_t cut : {std::size_t{3}, std::size_t{10}, std::size_t{20}}) {
    // 24 + 21 bytes are whole; the second record (at byte 45) loses data, or part of its header.
    std::vector<std::uint8_t> shorter(bytes.begin(),
                                      bytes.end() - static_cast<std::ptrdiff_t>(cut));
    const std::string path = write_file(dir, "cut.pcap", shorter);
    const auto contents = read_capture(path);
    ASSERT_EQ(contents.records.size(), 1u) << cut;
    ASSERT_TRUE(contents.problem);
    EXPECT_EQ(contents.problem->offset, 45u);
    EXPECT_EQ(contents.problem->message,
              path + ": last record cut short at byte 45; analyzed up to the last whole record");
  }
}

TEST(PcapReader, EndsCleanlyAtARecordBoundary) {
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header(1);
  const auto contents = read_capture(write_file(dir, "empty.pcap", b.bytes()));
  EXPECT_TRUE(contents.records.empty());
  EXPECT_FALSE(contents.problem);
}

TEST(PcapReader, RefusesARecordClaimingFourGibibytesWithoutAllocatingThem) {
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header(1).pcap_record(1, 0, packet, 5);
  b.u32(2).u32(0).u32(0xFFFFFFFF).u32(0xFFFFFFFF).raw(packet);
  const std::string path = write_file(dir, "huge.pcap", b.bytes());
  test::CaptureContents contents;
  ASSERT_NO_THROW(contents = read_capture(path));
  ASSERT_EQ(contents.records.size(), 1u);
  ASSERT_TRUE(contents.problem);
  EXPECT_EQ(contents.problem->offset, 45u);
  EXPECT_EQ(contents.problem->message,
            path +
                ": corrupt pcap record header at byte 45 (captured length 4294967295 is over "
                "the 64 MiB limit); analyzed the records before it");
}

TEST(PcapReader, ReadsRecordsLargerThanItsBufferAndAcrossRefills) {
  // Records of many sizes, some beyond the buffer (256 KiB), so that records straddle refills.
  test::TempDir dir;
  const std::string path = dir.file("big.pcap");
  std::vector<std::uint8_t> payload((3 << 20) + 7);
  std::iota(payload.begin(), payload.end(), std::uint8_t{0});
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < 3000; ++i) sizes.push_back((i * 7919) % 1500);
  sizes.insert(sizes.begin() + 1000, payload.size() - 7);
  sizes.insert(sizes.begin() + 2000, (1 << 20) + 1);
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap_ns, LinkType::ethernet, 1 << 30);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      writer->write(static_cast<std::int64_t>(i), std::span(payload).subspan(i % 7, sizes[i]),
                    LinkType::ethernet);
    }
  }
  auto reader = CaptureReader::open(path);
  PacketRecord record;
  std::size_t i = 0;
  while (reader->next(record)) {
    ASSERT_LT(i, sizes.size());
    ASSERT_EQ(record.timestamp_ns, static_cast<std::int64_t>(i));
    ASSERT_EQ(record.data.size(), sizes[i]);
    ASSERT_TRUE(std::equal(record.data.begin(), record.data.end(), payload.begin() + i % 7));
    ++i;
  }
  EXPECT_EQ(i, sizes.size());
  EXPECT_FALSE(reader->problem());
  EXPECT_EQ(reader->bytes_read(), std::filesystem::file_size(path));
}

TEST(PcapReader, RejectsAnUnsupportedVersionAtOpen) {
  test::TempDir dir;
  CaptureBytes b;
  b.pcap_header(1, 0xA1B2C3D4, 1, 0);
  const std::string path = write_file(dir, "v1.pcap", b.bytes());
  try {
    (void)CaptureReader::open(path);
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": unsupported pcap file version 1.0 at byte 4");
  }
}

}  // namespace
}  // namespace pa::capture
