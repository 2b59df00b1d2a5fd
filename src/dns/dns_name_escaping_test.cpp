#include <gtest/gtest.h>

#include <string>

#include "dns/dns_name.hpp"

namespace pa::dns {
namespace {

// The canonical wire bytes of a name of one label.
std::string one_label(const std::string& label) {
  std::string wire;
  wire.push_back(static_cast<char>(label.size()));
  wire += label;
  wire.push_back('\0');
  return wire;
}

TEST(DnsNameEscaping, LeavesLettersDigitsHyphenAndUnderscoreAlone) {
  EXPECT_EQ(to_report_string(one_label("abc-xyz_019")), "abc-xyz_019");
}

TEST(DnsNameEscaping, EscapesDotAndBackslashWithABackslash) {
  EXPECT_EQ(to_report_string(one_label("a.b")), "a\\.b");
  EXPECT_EQ(to_report_string(one_label("a\\b")), "a\\\\b");
}

TEST(DnsNameEscaping, EscapesEveryOtherByteAsThreeDecimalDigits) {
  EXPECT_EQ(to_report_string(one_label(std::string("a\0b", 3))), "a\\000b");
  EXPECT_EQ(to_report_string(one_label("\x1b[31m")), "\\027\\09131m");
  EXPECT_EQ(to_report_string(one_label("\xff")), "\\255");
  EXPECT_EQ(to_report_string(one_label(" *<>")), "\\032\\042\\060\\062");
  EXPECT_EQ(to_report_string(one_label("\x7f")), "\\127");
}

TEST(DnsNameEscaping, LowersUpperCaseInsteadOfEscapingIt) {
  EXPECT_EQ(to_report_string(one_label("WwW")), "www");
}

TEST(DnsNameEscaping, EscapesEveryByteOutsideThePlainSet) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string text = to_report_string(one_label(std::string(1, static_cast<char>(byte))));
    for (const char c : text) {
      EXPECT_TRUE(c >= 0x21 && c < 0x7f) << byte;
    }
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || byte == '-' || byte == '_';
    const bool short_escape = byte == '.' || byte == '\\';
    EXPECT_EQ(text.size(), plain ? 1u : short_escape ? 2u : 4u) << byte;
  }
}

TEST(DnsNameEscaping, JoinsLabelsWithDotsAndShowsRootAsRoot) {
  EXPECT_EQ(to_report_string(std::string("\3www\6google\3com\0", 16)), "www.google.com");
  EXPECT_EQ(to_report_string(std::string("\0", 1)), "<root>");
  EXPECT_EQ(to_report_string(DnsName{}), "<root>");
}

TEST(DnsNameEscaping, NoNameLooksLikeTheRoot) {
  EXPECT_EQ(to_report_string(one_label("<root>")), "\\060root\\062");
}

}  // namespace
}  // namespace pa::dns
