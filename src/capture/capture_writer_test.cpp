#include "capture/capture_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace pa::capture {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t le32(const Bytes& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

TEST(CaptureWriter, WritesMicrosecondPcapHeaderAndRecords) {
  test::TempDir dir;
  const std::string path = dir.file("us.pcap");
  const std::array<std::uint8_t, 3> packet{0xAA, 0xBB, 0xCC};
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap, LinkType::ethernet, 65535);
    writer->write(1'700'000'000'123'456'789, packet, 60, LinkType::ethernet);
    writer->close();
  }
  const Bytes b = test::read_whole_file(path);
  const Bytes expected{0xD4, 0xC3, 0xB2, 0xA1,  // magic a1b2c3d4, little-endian
                       0x02, 0x00, 0x04, 0x00,  // version 2.4
                       0x00, 0x00, 0x00, 0x00,  // thiszone
                       0x00, 0x00, 0x00, 0x00,  // sigfigs
                       0xFF, 0xFF, 0x00, 0x00,  // snaplen 65535
                       0x01, 0x00, 0x00, 0x00,  // LINKTYPE_ETHERNET
                       0x00, 0xF1, 0x53, 0x65,  // 1700000000 s
                       0x40, 0xE2, 0x01, 0x00,  // 123456 us (the nanoseconds are cut)
                       0x03, 0x00, 0x00, 0x00,  // captured 3
                       0x3C, 0x00, 0x00, 0x00,  // original 60
                       0xAA, 0xBB, 0xCC};
  EXPECT_EQ(b, expected);
}

TEST(CaptureWriter, WritesNanosecondPcapWithItsOwnMagic) {
  test::TempDir dir;
  const std::string path = dir.file("ns.pcap");
  const std::array<std::uint8_t, 1> packet{0x45};
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap_ns, LinkType::raw);
    writer->write(-1, packet, LinkType::raw);  // one nanosecond before the epoch
  }
  const Bytes b = test::read_whole_file(path);
  ASSERT_EQ(b.size(), 24u + 16u + 1u);
  EXPECT_EQ(le32(b, 0), 0xA1B23C4Du);
  EXPECT_EQ(le32(b, 16), 262144u);
  EXPECT_EQ(le32(b, 20), 101u);
  EXPECT_EQ(le32(b, 24), 0xFFFFFFFFu);  // second -1
  EXPECT_EQ(le32(b, 28), 999'999'999u);
}

TEST(CaptureWriter, CutsPacketsToTheSnapLength) {
  test::TempDir dir;
  const std::string path = dir.file("snap.pcap");
  const std::array<std::uint8_t, 10> packet{};
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap, LinkType::ethernet, 4);
    writer->write(0, packet, LinkType::ethernet);
  }
  const Bytes b = test::read_whole_file(path);
  ASSERT_EQ(b.size(), 24u + 16u + 4u);
  EXPECT_EQ(le32(b, 32), 4u);
  EXPECT_EQ(le32(b, 36), 10u);
}

TEST(CaptureWriter, RejectsASecondLinkTypeInAPcapFile) {
  test::TempDir dir;
  auto writer =
      CaptureWriter::create(dir.file("one.pcap"), CaptureFormat::pcap, LinkType::ethernet);
  const std::array<std::uint8_t, 1> packet{};
  EXPECT_THROW(writer->write(0, packet, LinkType::raw), std::invalid_argument);
}

TEST(CaptureWriter, WritesPcapngWithOneInterfacePerLinkTypeInOrderOfFirstUse) {
  test::TempDir dir;
  const std::string path = dir.file("multi.pcapng");
  const std::array<std::uint8_t, 5> packet{1, 2, 3, 4, 5};
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng, LinkType::ethernet, 1500);
    writer->write(0x0000000100000002, packet, LinkType::raw);
    writer->write(7, packet, 9, LinkType::ethernet);
    writer->write(8, packet, LinkType::raw);
  }
  const Bytes b = test::read_whole_file(path);
  // SHB (28) + IDB raw (32) + EPB (32 + 8) + IDB ethernet (32) + EPB (40) + EPB (40)
  ASSERT_EQ(b.size(), 28u + 32u + 40u + 32u + 40u + 40u);
  EXPECT_EQ(le32(b, 0), 0x0A0D0D0Au);
  EXPECT_EQ(le32(b, 8), 0x1A2B3C4Du);
  std::size_t at = 28;
  // The first interface: LINKTYPE_RAW, snaplen 1500, if_tsresol 9.
  EXPECT_EQ(le32(b, at), 1u);
  EXPECT_EQ(le32(b, at + 4), 32u);
  EXPECT_EQ(le32(b, at + 8), 101u);
  EXPECT_EQ(le32(b, at + 12), 1500u);
  EXPECT_EQ(le32(b, at + 16), 0x00010009u);  // option 9, length 1
  EXPECT_EQ(b[at + 20], 9);
  EXPECT_EQ(le32(b, at + 28), 32u);
  at += 32;
  EXPECT_EQ(le32(b, at), 6u);
  EXPECT_EQ(le32(b, at + 4), 40u);
  EXPECT_EQ(le32(b, at + 8), 0u);   // interface 0
  EXPECT_EQ(le32(b, at + 12), 1u);  // timestamp high
  EXPECT_EQ(le32(b, at + 16), 2u);  // timestamp low
  EXPECT_EQ(le32(b, at + 20), 5u);
  EXPECT_EQ(le32(b, at + 24), 5u);
  EXPECT_EQ(b[at + 32], 5);
  EXPECT_EQ(b[at + 33], 0);  // padding
  EXPECT_EQ(le32(b, at + 36), 40u);
  at += 40;
  EXPECT_EQ(le32(b, at), 1u);  // the second interface appears when first used
  EXPECT_EQ(le32(b, at + 8), 1u);
  at += 32;
  EXPECT_EQ(le32(b, at + 8), 1u);  // interface 1
  EXPECT_EQ(le32(b, at + 24), 9u);
  at += 40;
  EXPECT_EQ(le32(b, at + 8), 0u);  // back to interface 0
}

TEST(CaptureWriter, NamesThePathWhenItCannotCreateTheFile) {
  try {
    (void)CaptureWriter::create("/nonexistent-dir/x.pcap", CaptureFormat::pcap, LinkType::ethernet);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.pcap"), std::string::npos);
  }
}

TEST(CaptureWriter, ReportsAWriteErrorWithThePath) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  auto writer = CaptureWriter::create("/dev/full", CaptureFormat::pcap, LinkType::ethernet);
  try {
    writer->close();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pa::capture
