#include "capture/pcapng_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>

#include "capture/capture_reader.hpp"
#include "tests/support/capture_bytes.hpp"
#include "tests/support/read_capture.hpp"
#include "tests/support/temp_dir.hpp"

namespace pa::capture {
namespace {

using test::CaptureBytes;
using test::read_capture;

const std::array<std::uint8_t, 5> packet{0x45, 0x00, 0x00, 0x05, 0xFF};
const std::vector<std::uint8_t> packet_bytes(packet.begin(), packet.end());

constexpr std::uint16_t option_if_tsresol = 9;
constexpr std::uint16_t option_if_tsoffset = 14;

std::vector<std::uint8_t> join(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

// Writes `bytes` to a file in `dir` and reads it back.
test::CaptureContents read_bytes(const test::TempDir& dir, const std::vector<std::uint8_t>& bytes,
                                 std::string* path_out = nullptr) {
  const std::string path = dir.file("t.pcapng");
  test::write_whole_file(path, bytes);
  if (path_out != nullptr) *path_out = path;
  return read_capture(path);
}

// A section (in the given order) with five interfaces of different link types and timestamp
// resolutions, and one packet on each.
CaptureBytes five_interfaces(bool big_endian) {
  CaptureBytes b;
  b.section_header(big_endian);
  const std::uint8_t nanoseconds = 9, power_of_two_10 = 0x8A, milliseconds = 3, picoseconds = 12;
  b.interface_description(1);  // Ethernet, default resolution: microseconds
  b.interface_description(101, 0, b.option(option_if_tsresol, std::span(&nanoseconds, 1)));
  b.interface_description(113, 0, b.option(option_if_tsresol, std::span(&power_of_two_10, 1)));
  b.interface_description(229, 0,
                          join({b.option(option_if_tsresol, std::span(&milliseconds, 1)),
                                b.option_u64(option_if_tsoffset, 100)}));
  b.interface_description(228, 0, b.option(option_if_tsresol, std::span(&picoseconds, 1)));
  b.enhanced_packet(0, 1'500'000, packet, 60);
  b.enhanced_packet(1, 123, packet, 5);
  b.enhanced_packet(2, 3 * 1024 + 512, packet, 5);
  b.enhanced_packet(3, 2500, packet, 5);
  b.enhanced_packet(4, 5'000'000'000'123, packet, 5);
  return b;
}

TEST(PcapngReader, GivesEachInterfaceItsLinkTypeAndTimestampResolution) {
  test::TempDir dir;
  for (const bool big_endian : {false, true}) {
    const auto contents = read_bytes(dir, five_interfaces(big_endian).bytes());
    EXPECT_FALSE(contents.problem);
    ASSERT_EQ(contents.records.size(), 5u);
    const auto& r = contents.records;
    EXPECT_EQ(r[0].link_type, LinkType::ethernet);
    EXPECT_EQ(r[0].timestamp_ns, 1'500'000'000);
    EXPECT_EQ(r[0].original_length, 60u);
    EXPECT_EQ(r[0].data, packet_bytes);
    EXPECT_EQ(r[1].link_type, LinkType::raw);
    EXPECT_EQ(r[1].timestamp_ns, 123);
    EXPECT_EQ(r[2].link_type, LinkType::linux_sll);
    EXPECT_EQ(r[2].timestamp_ns, 3'500'000'000);  // 2^-10 s units
    EXPECT_EQ(r[3].link_type, LinkType::ipv6);
    EXPECT_EQ(r[3].timestamp_ns, 102'500'000'000);  // milliseconds, plus if_tsoffset 100 s
    EXPECT_EQ(r[4].link_type, LinkType::ipv4);
    EXPECT_EQ(r[4].timestamp_ns, 5'000'000'000);  // picoseconds, rounded down
    for (const auto& record : r) EXPECT_TRUE(record.interface_known);
  }
}

TEST(PcapngReader, StartsEachSectionAfreshInItsOwnByteOrder) {
  test::TempDir dir;
  CaptureBytes b = five_interfaces(true);
  b.section_header(false);
  b.interface_description(101);
  b.enhanced_packet(0, 7, packet, 5);  // interface 0 is now raw IP, in microseconds
  b.enhanced_packet(1, 8, packet, 5);  // the previous section's interface 1 is gone
  b.section_header(true);
  b.interface_description(1);
  b.enhanced_packet(0, 9, packet, 5);
  const auto contents = read_bytes(dir, b.bytes());
  EXPECT_FALSE(contents.problem);
  ASSERT_EQ(contents.records.size(), 8u);
  EXPECT_EQ(contents.records[5].link_type, LinkType::raw);
  EXPECT_EQ(contents.records[5].timestamp_ns, 7000);
  EXPECT_FALSE(contents.records[6].interface_known);
  EXPECT_EQ(contents.records[6].data, packet_bytes);
  EXPECT_EQ(contents.records[7].link_type, LinkType::ethernet);
  EXPECT_EQ(contents.records[7].timestamp_ns, 9000);
}

TEST(PcapngReader, DeliversAPacketOfAnUndescribedInterfaceMarkedUnknown) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).enhanced_packet(0, 1, packet, 5);
  b.interface_description(1).enhanced_packet(3, 2, packet, 5).enhanced_packet(0, 3, packet, 5);
  const auto contents = read_bytes(dir, b.bytes());
  ASSERT_EQ(contents.records.size(), 3u);
  EXPECT_FALSE(contents.records[0].interface_known);
  EXPECT_FALSE(contents.records[1].interface_known);
  EXPECT_EQ(contents.records[1].timestamp_ns, 2000);  // the default resolution
  EXPECT_TRUE(contents.records[2].interface_known);
  EXPECT_FALSE(contents.problem);
}

TEST(PcapngReader, ReadsSimplePacketBlocksOnInterfaceZero) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).simple_packet(packet, 5);  // no interface yet
  b.interface_description(101, 3);                   // snap length 3
  b.enhanced_packet(0, 42, packet, 5);
  b.simple_packet(packet, 60);                      // cut to the snap length
  b.simple_packet(std::span(packet).first(2), 60);  // cut to what the block holds
  b.simple_packet(packet, 1);                       // cut to the original length
  const auto contents = read_bytes(dir, b.bytes());
  EXPECT_FALSE(contents.problem);
  ASSERT_EQ(contents.records.size(), 5u);
  EXPECT_FALSE(contents.records[0].interface_known);
  const auto& r = contents.records;
  EXPECT_EQ(r[2].link_type, LinkType::raw);
  EXPECT_EQ(r[2].data, std::vector<std::uint8_t>(packet.begin(), packet.begin() + 3));
  EXPECT_EQ(r[2].original_length, 60u);
  EXPECT_EQ(r[2].timestamp_ns, 42'000);  // no timestamp of its own: the previous packet's
  // The block's 2 bytes of data are padded to 4, and padding is not data.
  EXPECT_EQ(r[3].data.size(), 3u);
  EXPECT_EQ(r[4].data, std::vector<std::uint8_t>{0x45});
}

TEST(PcapngReader, ReadsTheObsoletePacketBlock) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(true).interface_description(1).interface_description(101);
  b.obsolete_packet(1, 77, packet, 9);
  const auto contents = read_bytes(dir, b.bytes());
  ASSERT_EQ(contents.records.size(), 1u);
  EXPECT_EQ(contents.records[0].link_type, LinkType::raw);
  EXPECT_EQ(contents.records[0].timestamp_ns, 77'000);
  EXPECT_EQ(contents.records[0].original_length, 9u);
  EXPECT_EQ(contents.records[0].data, packet_bytes);
}

TEST(PcapngReader, SkipsBlocksItDoesNotNeed) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).interface_description(1);
  const std::array<std::uint8_t, 9> body{1, 2, 3, 4, 5, 6, 7, 8, 9};
  b.block(4, body);           // name resolution
  b.block(5, body);           // interface statistics
  b.block(0x40000BAD, body);  // custom
  b.block(0x0000000A, {});    // decryption secrets, empty
  b.enhanced_packet(0, 1, packet, 5);
  const auto contents = read_bytes(dir, b.bytes());
  EXPECT_EQ(contents.records.size(), 1u);
  EXPECT_FALSE(contents.problem);
}

TEST(PcapngReader, ReadsABlockLargerThanItsBuffer) {
  test::TempDir dir;
  std::vector<std::uint8_t> big((1 << 20) * 2 + 3, 0x5A);
  CaptureBytes b;
  b.section_header(false).interface_description(1);
  b.enhanced_packet(0, 1, packet, 5)
      .enhanced_packet(0, 2, big, 70000)
      .enhanced_packet(0, 3, packet, 5);
  const auto contents = read_bytes(dir, b.bytes());
  ASSERT_EQ(contents.records.size(), 3u);
  EXPECT_EQ(contents.records[1].data, big);
  EXPECT_EQ(contents.records[1].original_length, big.size());
  EXPECT_EQ(contents.records[2].data, packet_bytes);
}

// A file with one packet, then a block whose total length is `length`, then another packet.
struct BrokenBlock {
  std::vector<std::uint8_t> bytes;
  std::size_t offset;  // of the broken block
};
BrokenBlock with_block_length(std::uint32_t length, bool big_endian) {
  CaptureBytes b;
  b.section_header(big_endian).interface_description(1).enhanced_packet(0, 1, packet, 5);
  const std::size_t offset = b.size();
  b.enhanced_packet(0, 2, packet, 5).enhanced_packet(0, 3, packet, 5);
  CaptureBytes field(big_endian);
  field.u32(length);
  std::copy(field.bytes().begin(), field.bytes().end(),
            b.mutable_bytes().begin() + static_cast<std::ptrdiff_t>(offset + 4));
  return {b.bytes(), offset};
}

TEST(PcapngReader, StopsAtABlockLengthOfZeroThreeOrAllOnes) {
  test::TempDir dir;
  const std::map<std::uint32_t, std::string> details{
      {0, "total length 0 is under the 12-byte minimum"},
      {3, "total length 3 is under the 12-byte minimum"},
      {15, "total length 15 is not a multiple of 4"},
      {0xFFFFFFFF, "total length 4294967295 is not a multiple of 4"},
      {0xFFFFFFFC, "total length 4294967292 is over the 64 MiB limit"}};
  for (const bool big_endian : {false, true}) {
    for (const auto& [length, detail] : details) {
      const BrokenBlock broken = with_block_length(length, big_endian);
      std::string path;
      test::CaptureContents contents;
      ASSERT_NO_THROW(contents = read_bytes(dir, broken.bytes, &path));
      EXPECT_EQ(contents.records.size(), 1u);
      ASSERT_TRUE(contents.problem) << length;
      EXPECT_EQ(contents.problem->offset, broken.offset);
      EXPECT_EQ(contents.problem->message,
                path + ": corrupt pcapng block of type 0x00000006 at byte " +
                    std::to_string(broken.offset) + " (" + detail +
                    "); analyzed the records before it");
    }
  }
}

TEST(PcapngReader, StopsAtAPacketBlockTooShortForItsFields) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).interface_description(1).enhanced_packet(0, 1, packet, 5);
  const std::size_t offset = b.size();
  b.block(6, std::vector<std::uint8_t>(16));  // 28 bytes: no room for the 20 bytes of fields
  b.enhanced_packet(0, 2, packet, 5);
  std::string path;
  const auto contents = read_bytes(dir, b.bytes(), &path);
  EXPECT_EQ(contents.records.size(), 1u);
  ASSERT_TRUE(contents.problem);
  EXPECT_EQ(contents.problem->message,
            path + ": corrupt pcapng enhanced packet block at byte " + std::to_string(offset) +
                " (total length 28 is under the 32-byte minimum); analyzed the records before it");
}

TEST(PcapngReader, StopsWhereTheTrailingLengthDisagrees) {
  test::TempDir dir;
  // 40 is a valid length, but the block really is 40 bytes long only up to its trailer, which
  // says 40 too; claim 44 and the trailer read at 40 is the next block's type.
  const BrokenBlock broken = with_block_length(44, false);
  std::string path;
  const auto contents = read_bytes(dir, broken.bytes, &path);
  EXPECT_EQ(contents.records.size(), 1u);
  ASSERT_TRUE(contents.problem);
  EXPECT_EQ(contents.problem->message,
            path + ": corrupt pcapng block of type 0x00000006 at byte " +
                std::to_string(broken.offset) +
                " (total length 44 differs from its trailing copy 6); analyzed the records "
                "before it");
}

TEST(PcapngReader, StopsAtACapturedLengthThatDoesNotFitItsBlock) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).interface_description(1).enhanced_packet(0, 1, packet, 5);
  const std::size_t offset = b.size();
  b.enhanced_packet(0, 2, packet, 5);
  b.mutable_bytes()[offset + 20] = 9;  // captured length 9 in a block with room for 8
  std::string path;
  const auto contents = read_bytes(dir, b.bytes(), &path);
  EXPECT_EQ(contents.records.size(), 1u);
  ASSERT_TRUE(contents.problem);
  EXPECT_EQ(contents.problem->message,
            path + ": corrupt pcapng enhanced packet block at byte " + std::to_string(offset) +
                " (captured length 9 does not fit in a block of 40 bytes); analyzed the records "
                "before it");
}

TEST(PcapngReader, StopsAtASectionOfAnUnknownMajorVersion) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).interface_description(1).enhanced_packet(0, 1, packet, 5);
  const std::size_t offset = b.size();
  b.section_header(true, 2, 0).interface_description(1).enhanced_packet(0, 1, packet, 5);
  std::string path;
  const auto contents = read_bytes(dir, b.bytes(), &path);
  EXPECT_EQ(contents.records.size(), 1u);
  ASSERT_TRUE(contents.problem);
  EXPECT_EQ(contents.problem->offset, offset);
  EXPECT_EQ(contents.problem->message,
            path + ": unsupported pcapng section at byte " + std::to_string(offset) +
                " (version 2.0; only 1.x is known); analyzed the records before it");
}

TEST(PcapngReader, RefusesAnUnknownMajorVersionAtOpen) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false, 2, 0);
  const std::string path = dir.file("v2.pcapng");
  test::write_whole_file(path, b.bytes());
  try {
    (void)CaptureReader::open(path);
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": unsupported pcapng section at byte 0 (version 2.0; only 1.x is known)");
  }
}

TEST(PcapngReader, RefusesATruncatedOrCorruptSectionHeaderAtOpen) {
  test::TempDir dir;
  const std::string path = dir.file("x.pcapng");
  CaptureBytes b;
  b.section_header(false);
  const auto whole = b.bytes();
  for (const std::size_t size : {std::size_t{4}, std::size_t{11}, std::size_t{27}}) {
    test::write_whole_file(
        path, std::vector<std::uint8_t>(whole.begin(),
                                        whole.begin() + static_cast<std::ptrdiff_t>(size)));
    try {
      (void)CaptureReader::open(path);
      FAIL() << "no exception for " << size << " bytes";
    } catch (const CaptureError& e) {
      EXPECT_EQ(std::string(e.what()), path + ": truncated section header at byte 0");
    }
  }
  auto bad_magic = whole;
  bad_magic[8] = 0x00;
  test::write_whole_file(path, bad_magic);
  try {
    (void)CaptureReader::open(path);
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ": corrupt pcapng section header at byte 0 (byte-order magic 0x003c2b1a is "
                  "neither 1a2b3c4d nor 4d3c2b1a)");
  }
}

TEST(PcapngReader, ReportsTheLastBlockCutShortWithFileAndOffset) {
  test::TempDir dir;
  CaptureBytes b;
  b.section_header(false).interface_description(1).enhanced_packet(0, 1, packet, 5);
  const std::size_t offset = b.size();
  b.enhanced_packet(0, 2, packet, 5);
  for (const std::size_t cut : {std::size_t{1}, std::size_t{30}, std::size_t{39}}) {
    std::vector<std::uint8_t> bytes = b.bytes();
    bytes.resize(bytes.size() - cut);
    std::string path;
    const auto contents = read_bytes(dir, bytes, &path);
    EXPECT_EQ(contents.records.size(), 1u);
    ASSERT_TRUE(contents.problem);
    EXPECT_EQ(contents.problem->offset, offset);
    EXPECT_EQ(contents.problem->message, path + ": last record cut short at byte " +
                                             std::to_string(offset) +
                                             "; analyzed up to the last whole record");
  }
}

TEST(PcapngReader, ReadsTheMultiInterfaceCorpusFiles) {
  // Per-interface packet counts, link types and resolutions from `capinfos` (Wireshark 4.0).
  const auto zeek = read_capture(PA_SHARED_DIR "/corpus/real/zeek__pcapng-multi-interface.pcapng");
  EXPECT_FALSE(zeek.problem);
  ASSERT_EQ(zeek.records.size(), 6u);
  // From `tshark -T fields -e frame.time_epoch`: interface 1 in nanoseconds, then
  // interface 0 in microseconds.
  EXPECT_EQ(zeek.records[0].timestamp_ns, 1'767'663'089'500'330'493);
  EXPECT_EQ(zeek.records[2].timestamp_ns, 1'767'663'437'111'897'000);

  const auto many = read_capture(PA_SHARED_DIR "/corpus/real/pcpp__many_interfaces-1.pcapng");
  EXPECT_FALSE(many.problem);
  ASSERT_EQ(many.records.size(), 64u);
  std::map<LinkType, int> per_link_type;
  for (const auto& record : many.records) {
    EXPECT_TRUE(record.interface_known);
    ++per_link_type[record.link_type];
  }
  // 62 packets on interface 0 (Ethernet), 2 on interface 10 (BSD loopback).
  EXPECT_EQ(per_link_type[LinkType::ethernet], 62);
  EXPECT_EQ(per_link_type[LinkType::null], 2);

  const auto example = read_capture(PA_SHARED_DIR "/corpus/real/pcpp__pcapng-example.pcapng");
  ASSERT_EQ(example.records.size(), 159u);
  std::map<LinkType, int> example_link_types;
  for (const auto& record : example.records) ++example_link_types[record.link_type];
  EXPECT_EQ(example_link_types[LinkType::ethernet], 59);
  EXPECT_EQ(example_link_types[LinkType::linux_sll], 100);
}

}  // namespace
}  // namespace pa::capture
