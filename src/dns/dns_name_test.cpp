#include "dns/dns_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/dns_test_message.hpp"

namespace pa::dns {
namespace {

using base::Drop;
using testing::TestMessage;

// The offset just past the 12-byte header, where test names start.
constexpr std::size_t after_header = 12;

TEST(DnsName, DecodesUncompressedNameInLowerCase) {
  TestMessage m;
  m.header(testing::standard_query, 1, 0).name("WWW.Google.COM");
  DnsName name;
  const auto end = decode_name(m.bytes(), after_header, name);
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, m.size());
  EXPECT_EQ(to_report_string(name), "www.google.com");
  EXPECT_EQ(name, *parse_name("www.google.com"));
}

TEST(DnsName, DecodesRootName) {
  TestMessage m;
  m.header(testing::standard_query, 1, 0).name("");
  DnsName name;
  const auto end = decode_name(m.bytes(), after_header, name);
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, after_header + 1);
  EXPECT_TRUE(name.is_root());
  EXPECT_EQ(to_report_string(name), "<root>");
}

TEST(DnsName, FollowsBackwardPointerAndEndsAfterIt) {
  TestMessage m;
  m.header(testing::standard_query, 1, 0).name("example.com");  // at 12
  const std::size_t second = m.size();
  m.name_then_pointer("www", after_header + 8);  // www -> "com" at 20
  DnsName name;
  const auto end = decode_name(m.bytes(), second, name);
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, second + 4 + 2);  // the label "www" and the two pointer bytes
  EXPECT_EQ(to_report_string(name), "www.com");
}

TEST(DnsName, FollowsChainOfBackwardPointers) {
  TestMessage m;
  m.header(testing::standard_query, 0, 0).name("com");              // 12: 3com0
  const std::size_t example = m.size();                             // 17
  m.name_then_pointer("example", after_header);                     // 17: 7example -> 12
  const std::size_t www = m.size();                                 // 27
  m.name_then_pointer("www", static_cast<std::uint16_t>(example));  // 27: 3www -> 17
  const std::size_t only_pointer = m.size();                        // 33
  m.name_then_pointer("", static_cast<std::uint16_t>(www));         // 33: -> 27
  DnsName name;
  const auto end = decode_name(m.bytes(), only_pointer, name);
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, only_pointer + 2);
  EXPECT_EQ(to_report_string(name), "www.example.com");
}

TEST(DnsName, RejectsPointerThatDoesNotPointBackward) {
  // A pointer to itself.
  TestMessage self;
  self.header(testing::standard_query, 1, 0).name_then_pointer("", after_header);
  DnsName name;
  EXPECT_EQ(decode_name(self.bytes(), after_header, name).drop(), Drop::dns_malformed);

  // A pointer forward to a valid name.
  TestMessage forward;
  forward.header(testing::standard_query, 1, 0)
      .name_then_pointer("", after_header + 2)  // 12: -> 14
      .name("com");                             // 14: 3com0
  EXPECT_EQ(decode_name(forward.bytes(), after_header, name).drop(), Drop::dns_malformed);
}

TEST(DnsName, RejectsPointerIntoTheLabelsItFollows) {
  // 12: 1a 1b -> 12. The pointer targets an earlier offset in the buffer, but not one before
  // the label sequence it was read in, so it would loop: RFC 1035 4.1.4 only allows prior
  // occurrences.
  TestMessage m;
  m.header(testing::standard_query, 1, 0).name_then_pointer("a.b", after_header);
  DnsName name;
  EXPECT_EQ(decode_name(m.bytes(), after_header, name).drop(), Drop::dns_malformed);
}

TEST(DnsName, RejectsPointerLoopBetweenTwoNames) {
  // 12: 1a -> 16, 16: 1b -> 12: each pointer is backward from where the name decoding
  // started at 16, but the second jump is not before the sequence at 12.
  TestMessage m;
  m.header(testing::standard_query, 0, 0)
      .name_then_pointer("a", 16)   // 12..15
      .name_then_pointer("b", 12);  // 16..19
  DnsName name;
  EXPECT_EQ(decode_name(m.bytes(), 16, name).drop(), Drop::dns_malformed);
}

TEST(DnsName, AcceptsLabelOf63BytesAndRejects64) {
  const std::string label63(63, 'x');
  TestMessage ok;
  ok.header(testing::standard_query, 1, 0).name(label63 + ".com");
  DnsName name;
  ASSERT_TRUE(decode_name(ok.bytes(), after_header, name));
  EXPECT_EQ(to_report_string(name), label63 + ".com");

  // A 64-byte length is 0x40: a label type RFC 6891 retired, not a label.
  const std::string label64(64, 'x');
  TestMessage too_long;
  too_long.header(testing::standard_query, 1, 0).name(label64 + ".com");
  EXPECT_EQ(decode_name(too_long.bytes(), after_header, name).drop(), Drop::dns_malformed);
}

TEST(DnsName, AcceptsName255BytesLongAndRejects256) {
  // Four labels: 3 x (1 + 63) + (1 + 61) + the root byte = 255.
  const std::string l63(63, 'a');
  const std::string name255 = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b');
  TestMessage ok;
  ok.header(testing::standard_query, 1, 0).name(name255);
  DnsName name;
  ASSERT_TRUE(decode_name(ok.bytes(), after_header, name));
  EXPECT_EQ(name.key().size(), 255u);

  const std::string name256 = l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b');
  TestMessage too_long;
  too_long.header(testing::standard_query, 1, 0).name(name256);
  EXPECT_EQ(decode_name(too_long.bytes(), after_header, name).drop(), Drop::dns_malformed);
}

TEST(DnsName, RejectsNameOver255BytesBuiltFromPointers) {
  // Each name adds a 63-byte label to the previous one through a pointer: the fifth is too long.
  TestMessage m;
  m.header(testing::standard_query, 0, 0);
  const std::string l63(63, 'c');
  std::size_t previous = m.size();
  m.name(l63);
  for (int i = 0; i < 4; ++i) {
    const std::size_t here = m.size();
    m.name_then_pointer(l63, static_cast<std::uint16_t>(previous));
    previous = here;
  }
  DnsName name;
  EXPECT_EQ(decode_name(m.bytes(), previous, name).drop(), Drop::dns_malformed);
}

TEST(DnsName, RejectsReservedLabelTypes) {
  DnsName name;
  for (const std::uint8_t type : {std::uint8_t{0x40}, std::uint8_t{0x80}}) {
    TestMessage m;
    m.header(testing::standard_query, 1, 0).raw({type, 0x00, 0x00});
    EXPECT_EQ(decode_name(m.bytes(), after_header, name).drop(), Drop::dns_malformed) << +type;
  }
}

TEST(DnsName, ReportsTruncationWhenBytesRunOut) {
  DnsName name;
  TestMessage label_cut;
  label_cut.header(testing::standard_query, 1, 0).raw({0x05, 'a', 'b'});
  EXPECT_EQ(decode_name(label_cut.bytes(), after_header, name).drop(), Drop::dns_truncated);

  TestMessage no_root;
  no_root.header(testing::standard_query, 1, 0).raw({0x01, 'a'});
  EXPECT_EQ(decode_name(no_root.bytes(), after_header, name).drop(), Drop::dns_truncated);

  TestMessage half_pointer;
  half_pointer.header(testing::standard_query, 1, 0).raw({0xC0});
  EXPECT_EQ(decode_name(half_pointer.bytes(), after_header, name).drop(), Drop::dns_truncated);

  EXPECT_EQ(decode_name(half_pointer.bytes(), 100, name).drop(), Drop::dns_truncated);
}

TEST(DnsName, ParsesTypedNames) {
  EXPECT_EQ(to_report_string(*parse_name("WWW.Google.com.")), "www.google.com");
  EXPECT_TRUE(parse_name(".")->is_root());
  EXPECT_EQ(to_report_string(*parse_name("a\\.b.c")), "a\\.b.c");
  EXPECT_EQ(to_report_string(*parse_name("x\\007y")), "x\\007y");
  EXPECT_EQ(to_report_string(*parse_name("back\\\\slash")), "back\\\\slash");
  EXPECT_EQ(*parse_name("a\\.b.c"), *parse_name("A\\046B.C."));
}

TEST(DnsName, RejectsInvalidTypedNames) {
  EXPECT_FALSE(parse_name(""));
  EXPECT_FALSE(parse_name("a..b"));
  EXPECT_FALSE(parse_name(".a"));
  EXPECT_FALSE(parse_name("a\\"));
  EXPECT_FALSE(parse_name("a\\25"));
  EXPECT_FALSE(parse_name("a\\256"));
  EXPECT_FALSE(parse_name(std::string(64, 'x')));
  EXPECT_TRUE(parse_name(std::string(63, 'x')));
}

}  // namespace
}  // namespace pa::dns
