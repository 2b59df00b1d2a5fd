// The consumer's side of the protocol against a provider that does not follow it: every count
// the provider announces is bounded here too, and nothing it sends makes the consumer throw.
#include "stream/consumer_session.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace pa::stream {
namespace {

base::Bytes body_of(const std::vector<std::uint8_t>& frame) {
  return base::Bytes(frame).subspan(frame_prefix_bytes + 1);
}

Hello hello_for(std::uint32_t lanes) {
  Hello hello;
  hello.window = 4;
  hello.lanes = lanes;
  hello.nonce = random_nonce();
  return hello;
}

const std::string secret = "a secret of thirty-two bytes!!!!";

TEST(ConsumerSession, OpensNoLaneBeyondThoseTheHelloAnnounced) {
  ConsumerSession session("", random_nonce());
  ASSERT_TRUE(
      session.answer_hello(FrameType::hello, body_of(encode_hello(hello_for(4)))).problem.empty());
  // 300,000 open_lane frames (the flood that took a consumer to 5 GB): lanes below the count
  // are opened afresh in place; the first beyond it ends the connection.
  for (std::uint32_t i = 0; i < 300'000; ++i) {
    const auto frame = encode_lane_frame(FrameType::open_lane, i % 4);
    ASSERT_TRUE(session.next(FrameType::open_lane, body_of(frame)).problem.empty());
  }
  EXPECT_EQ(session.open_lanes(), 4u);
  const ConsumerStep beyond =
      session.next(FrameType::open_lane, body_of(encode_lane_frame(FrameType::open_lane, 4)));
  EXPECT_EQ(beyond.problem, "lane 4 opened, but the hello announced 4 lanes");
  EXPECT_EQ(session.open_lanes(), 4u);
}

TEST(ConsumerSession, RefusesAHelloAnnouncingMoreLanesThanARunHas) {
  ConsumerSession session("", random_nonce());
  const ConsumerStep step =
      session.answer_hello(FrameType::hello, body_of(encode_hello(hello_for(max_lanes + 1))));
  EXPECT_EQ(step.problem, "the provider's hello does not decode");
  EXPECT_FALSE(step.reply.has_value());
}

TEST(ConsumerSession, RefusesAHelloNamingAWatchHostThatIsNotADomainName) {
  ConsumerSession session("", random_nonce());
  Hello hello = hello_for(1);
  hello.options.watch_host = std::string(300, 'a');
  const ConsumerStep step = session.answer_hello(FrameType::hello, body_of(encode_hello(hello)));
  EXPECT_NE(step.problem.find("not a domain name"), std::string::npos) << step.problem;
}

TEST(ConsumerSession, RefusesAProviderWithAnotherSecret) {
  ConsumerSession session(secret, random_nonce());
  Hello hello = hello_for(1);
  hello.authenticated = true;
  const ChannelAuth other("another secret, also 32 bytes!!!");
  const ConsumerStep step =
      session.answer_hello(FrameType::hello, body_of(encode_hello(hello, other)));
  EXPECT_EQ(step.problem, "the provider's hello does not verify: it has another secret");
  EXPECT_FALSE(step.reply.has_value());
}

TEST(ConsumerSession, RefusesAProviderWithoutASecretWhenItHasOne) {
  ConsumerSession session(secret, random_nonce());
  const ConsumerStep step =
      session.answer_hello(FrameType::hello, body_of(encode_hello(hello_for(1))));
  EXPECT_NE(step.problem.find("has no shared secret"), std::string::npos) << step.problem;
}

TEST(ConsumerSession, AnswersAProviderWithTheSameSecretAndMacsItsAcknowledgements) {
  const Nonce nonce = random_nonce();
  ConsumerSession session(secret, nonce);
  Hello hello = hello_for(2);
  hello.authenticated = true;
  ChannelAuth provider(secret);
  const ConsumerStep step =
      session.answer_hello(FrameType::hello, body_of(encode_hello(hello, provider)));
  ASSERT_TRUE(step.problem.empty()) << step.problem;
  const auto reply = decode_hello_reply(body_of(*step.reply));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->nonce, nonce);
  EXPECT_TRUE(
      ChannelAuth::same(reply->mac, provider.reply_mac(hello.nonce, reply_mac_fields(*reply))));
  provider.start_session(hello.nonce, reply->nonce);

  ASSERT_TRUE(
      session.next(FrameType::open_lane, body_of(encode_lane_frame(FrameType::open_lane, 1)))
          .problem.empty());
  const ConsumerStep finished =
      session.next(FrameType::finish_lane, body_of(encode_finish_lane({1, 7, {}})));
  ASSERT_TRUE(finished.problem.empty()) << finished.problem;
  const base::Bytes ack_body = body_of(*finished.reply);
  const auto ack = decode_ack(ack_body);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->seq, 7u);
  EXPECT_TRUE(ChannelAuth::same(ack->mac, provider.ack_mac(0, mac_fields(ack_body))));
  // The same acknowledgement at another position (a replay) does not verify.
  EXPECT_FALSE(ChannelAuth::same(ack->mac, provider.ack_mac(1, mac_fields(ack_body))));
  EXPECT_EQ(session.open_lanes(), 0u);
}

TEST(ConsumerSession, RefusesFramesBeforeTheHelloAndBatchesForNoOpenLane) {
  ConsumerSession session("", random_nonce());
  EXPECT_EQ(session.answer_hello(FrameType::open_lane, {}).problem,
            "the provider did not start with a hello");
  ConsumerSession started("", random_nonce());
  ASSERT_TRUE(
      started.answer_hello(FrameType::hello, body_of(encode_hello(hello_for(1)))).problem.empty());
  BatchBuilder batch(0, 1);
  EXPECT_EQ(started.next(FrameType::batch, body_of(batch.take())).problem,
            "a batch for no open lane");
}

}  // namespace
}  // namespace pa::stream
