#include "dns/dns_message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/dns_test_message.hpp"

namespace pa::dns {
namespace {

using base::Drop;
using testing::TestMessage;

TEST(DnsMessage, DecodesHeaderFields) {
  // id 0xabcd; flags 0xa980: QR=1, OPCODE=5 (UPDATE, RFC 2136), RD, RA; counts 1, 2, 3, 4.
  const std::vector<std::uint8_t> bytes{0xab, 0xcd, 0xa9, 0x80, 0x00, 0x01,
                                        0x00, 0x02, 0x00, 0x03, 0x00, 0x04};
  const auto message = DnsMessage::decode(bytes);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->header().id, 0xabcd);
  EXPECT_TRUE(message->header().is_response);
  EXPECT_EQ(message->header().opcode, 5);
  EXPECT_EQ(message->header().question_count, 1);
  EXPECT_EQ(message->header().answer_count, 2);
  EXPECT_EQ(message->header().authority_count, 3);
  EXPECT_EQ(message->header().additional_count, 4);
}

TEST(DnsMessage, RejectsMessageShorterThanItsHeader) {
  const std::vector<std::uint8_t> bytes(11, 0);
  EXPECT_EQ(DnsMessage::decode(bytes).drop(), Drop::dns_truncated);
}

TEST(DnsMessage, IteratesSeveralQuestions) {
  TestMessage m;
  m.header(testing::standard_query, 3, 0)
      .question("a.example", 1)
      .question("B.example", 28)
      .question("c.example", 1, 3);  // class CH
  const auto message = DnsMessage::decode(m.bytes());
  ASSERT_TRUE(message);
  QuestionCursor questions{*message};
  DnsQuestion q;
  std::vector<std::string> seen;
  while (questions.next(q)) {
    seen.push_back(to_report_string(q.name) + "/" + std::to_string(q.type) + "/" +
                   std::to_string(q.klass));
  }
  EXPECT_FALSE(questions.error());
  EXPECT_EQ(questions.end_offset(), m.size());
  EXPECT_EQ(seen, (std::vector<std::string>{"a.example/1/1", "b.example/28/1", "c.example/1/3"}));
}

TEST(DnsMessage, ReportsQuestionSectionThatEndsEarly) {
  // Two questions announced, one present.
  TestMessage m;
  m.header(testing::standard_query, 2, 0).question("a.example");
  const auto message = DnsMessage::decode(m.bytes());
  ASSERT_TRUE(message);
  QuestionCursor questions{*message};
  DnsQuestion q;
  EXPECT_TRUE(questions.next(q));
  EXPECT_FALSE(questions.next(q));
  EXPECT_EQ(questions.error(), Drop::dns_truncated);
  EXPECT_FALSE(questions.next(q));  // stays stopped
}

TEST(DnsMessage, ReportsQuestionWithoutTypeAndClass) {
  TestMessage m;
  m.header(testing::standard_query, 1, 0).name("a.example").u16(1);
  const auto message = DnsMessage::decode(m.bytes());
  QuestionCursor questions{*message};
  DnsQuestion q;
  EXPECT_FALSE(questions.next(q));
  EXPECT_EQ(questions.error(), Drop::dns_truncated);
}

TEST(DnsMessage, ReportsQuestionWithBadName) {
  TestMessage m;
  m.header(testing::standard_query, 1, 0).raw({0x80, 0x00}).u16(1).u16(1);
  const auto message = DnsMessage::decode(m.bytes());
  QuestionCursor questions{*message};
  DnsQuestion q;
  EXPECT_FALSE(questions.next(q));
  EXPECT_EQ(questions.error(), Drop::dns_malformed);
}

// Reads every answer of a response and returns "owner type detail" lines.
std::vector<std::string> read_answers(const TestMessage& m, std::optional<Drop>* error) {
  const auto message = DnsMessage::decode(m.bytes());
  EXPECT_TRUE(message);
  QuestionCursor questions{*message};
  DnsQuestion q;
  while (questions.next(q)) {
  }
  EXPECT_FALSE(questions.error());
  RecordCursor answers{*message, questions.end_offset(), message->header().answer_count};
  DnsRecord record;
  std::vector<std::string> lines;
  while (answers.next(record)) {
    std::string line = to_report_string(record.owner) + " " + std::to_string(record.type);
    if (const auto address = record.address()) line += " " + address->to_string();
    if (record.is(RecordType::cname)) line += " " + to_report_string(record.target);
    lines.push_back(line);
  }
  *error = answers.error();
  return lines;
}

TEST(DnsMessage, ReadsAnswersWithAddressesAndCompressedCnameTarget) {
  TestMessage m;
  m.header(testing::standard_response, 1, 3).question("www.example.com");  // name at 12
  // www.example.com CNAME -> "edge" + pointer to "example.com" at 16.
  m.name_then_pointer("", 12).u16(5).u16(1).u32(60).u16(7).name_then_pointer("edge", 16);
  m.name_then_pointer("edge", 16).u16(1).u16(1).u32(60).u16(4).raw({192, 0, 2, 1});
  m.aaaa("edge.example.com", {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  std::optional<Drop> error;
  EXPECT_EQ(read_answers(m, &error), (std::vector<std::string>{"www.example.com 5 edge.example.com",
                                                               "edge.example.com 1 192.0.2.1",
                                                               "edge.example.com 28 2001:db8::1"}));
  EXPECT_FALSE(error);
}

TEST(DnsMessage, StopsAnswersAtFirstMalformedRecord) {
  TestMessage m;
  m.header(testing::standard_response, 1, 3).question("a.example");
  m.a("a.example", {192, 0, 2, 1});
  m.a("a.example", {192, 0, 2, 2, 9});  // A with 5 bytes of RDATA
  m.a("a.example", {192, 0, 2, 3});
  std::optional<Drop> error;
  EXPECT_EQ(read_answers(m, &error), (std::vector<std::string>{"a.example 1 192.0.2.1"}));
  EXPECT_EQ(error, Drop::dns_malformed);
}

TEST(DnsMessage, StopsAnswersAtRdataPastTheEnd) {
  TestMessage m;
  m.header(testing::standard_response, 1, 2).question("a.example");
  m.a("a.example", {192, 0, 2, 1});
  m.name("a.example").u16(1).u16(1).u32(60).u16(4).raw({192, 0});
  std::optional<Drop> error;
  EXPECT_EQ(read_answers(m, &error), (std::vector<std::string>{"a.example 1 192.0.2.1"}));
  EXPECT_EQ(error, Drop::dns_truncated);
}

TEST(DnsMessage, RejectsCnameWhoseTargetDoesNotFillItsRdata) {
  TestMessage m;
  m.header(testing::standard_response, 1, 1).question("a.example");
  // RDLENGTH 4 but the target "b" + root takes 3 bytes.
  m.name("a.example").u16(5).u16(1).u32(60).u16(4).name("b").u8(0);
  std::optional<Drop> error;
  EXPECT_TRUE(read_answers(m, &error).empty());
  EXPECT_EQ(error, Drop::dns_malformed);
}

TEST(DnsMessage, LeavesRdataOfOtherClassesAndTypesUnchecked) {
  TestMessage m;
  m.header(testing::standard_response, 1, 2).question("a.example");
  m.name("a.example").u16(1).u16(3).u32(0).u16(2).raw({0xc0, 0x0c});    // A in class CH
  m.name("a.example").u16(16).u16(1).u32(0).u16(3).raw({2, 'h', 'i'});  // TXT
  std::optional<Drop> error;
  EXPECT_EQ(read_answers(m, &error), (std::vector<std::string>{"a.example 1", "a.example 16"}));
  EXPECT_FALSE(error);
}

}  // namespace
}  // namespace pa::dns
