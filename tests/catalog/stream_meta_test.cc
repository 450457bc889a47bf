#include "catalog/stream_meta.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

StreamMeta SampleMeta() {
  StreamMeta meta;
  meta.id = 3;
  meta.name = "orders";
  meta.creation_ms = 1700000000000;
  meta.max_record_size_kib = 2048;
  meta.retention_hours = 48;
  ShardMeta parent;
  parent.index = 0;
  parent.hash_key_range = {0, absl::Uint128Max()};
  parent.starting_counter = 1;
  parent.ending_counter = 99;
  parent.closed_ms = 1700000005000;
  ShardMeta child;
  child.index = 1;
  child.parent_index = 0;
  child.hash_key_range = {absl::MakeUint128(1, 0), absl::Uint128Max()};
  child.starting_counter = 100;
  meta.shards = {parent, child};
  meta.scaling_ms = {1700000001000, 1700000002000};
  return meta;
}

TEST(StreamMetaTest, Encode_RoundTrips) {
  const StreamMeta meta = SampleMeta();
  ASSERT_OK_AND_ASSIGN(StreamMeta decoded,
                       DecodeStreamMeta(EncodeStreamMeta(meta)));
  EXPECT_EQ(decoded.id, meta.id);
  EXPECT_EQ(decoded.name, meta.name);
  EXPECT_EQ(decoded.creation_ms, meta.creation_ms);
  EXPECT_EQ(decoded.max_record_size_kib, 2048);
  EXPECT_EQ(decoded.retention_hours, 48);
  ASSERT_EQ(decoded.shards.size(), 2u);
  EXPECT_EQ(decoded.shards[0].ending_counter, 99u);
  EXPECT_EQ(decoded.shards[0].closed_ms, 1700000005000);
  EXPECT_EQ(decoded.scaling_ms, meta.scaling_ms);
  EXPECT_FALSE(decoded.shards[0].parent_index.has_value());
  EXPECT_EQ(decoded.shards[1].parent_index, 0u);
  EXPECT_FALSE(decoded.shards[1].adjacent_parent_index.has_value());
  EXPECT_TRUE(decoded.shards[1].open());
  EXPECT_EQ(decoded.shards[1].hash_key_range.starting_hash_key,
            absl::MakeUint128(1, 0));
}

TEST(StreamMetaTest, Encode_GoldenPrefix) {
  // The head of the format: version, id, name, creation time.
  const std::string encoded = EncodeStreamMeta(SampleMeta());
  EXPECT_EQ(encoded.substr(0, 12),
            std::string("\x02\x00\x00\x00\x03\x06orders", 12));
}

TEST(StreamMetaTest, Decode_ReadsVersionOne) {
  // One open shard over the whole space, as written before resharding.
  const std::string v1 = std::string("\x01\x00\x00\x00\x03\x06orders", 12) +
                         std::string("\x05\x80\x08\x18\x01\x00\x00\x00", 8) +
                         std::string(16, '\0') + std::string(16, '\xff') +
                         std::string("\x01\x00", 2);
  ASSERT_OK_AND_ASSIGN(StreamMeta decoded, DecodeStreamMeta(v1));
  EXPECT_EQ(decoded.name, "orders");
  EXPECT_EQ(decoded.creation_ms, 5);
  EXPECT_EQ(decoded.max_record_size_kib, 1024);
  EXPECT_EQ(decoded.retention_hours, 24);
  ASSERT_EQ(decoded.shards.size(), 1u);
  EXPECT_TRUE(decoded.shards[0].open());
  EXPECT_EQ(decoded.shards[0].closed_ms, 0);
  EXPECT_EQ(decoded.shards[0].starting_counter, 1u);
  EXPECT_EQ(decoded.shards[0].hash_key_range.ending_hash_key,
            absl::Uint128Max());
  EXPECT_TRUE(decoded.scaling_ms.empty());
}

TEST(StreamMetaTest, Decode_RejectsDamage) {
  const std::string encoded = EncodeStreamMeta(SampleMeta());
  EXPECT_THAT(DecodeStreamMeta(""), HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(DecodeStreamMeta("\x03" + encoded.substr(1)),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(DecodeStreamMeta(encoded.substr(0, encoded.size() - 3)),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(DecodeStreamMeta(encoded + "x"),
              HasErrorName(ErrorName::kInternalFailure));
}

TEST(ShardIdTest, FormatsAndParsesKinesisIds) {
  EXPECT_EQ(ShardIdOf(0), "shardId-000000000000");
  EXPECT_EQ(ShardIdOf(1234), "shardId-000000001234");
  EXPECT_EQ(ShardIdOf(UINT32_MAX), "shardId-004294967295");
  EXPECT_EQ(ParseShardId("shardId-000000001234"), 1234u);
  for (const char* bad : {"", "shardId-", "shardId-00000000001",
                          "shardId-0000000000001", "shardid-000000000001",
                          "shardId-00000000000x", "shardId-999999999999"}) {
    EXPECT_FALSE(ParseShardId(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace brook

namespace brook {
namespace {

TEST(StreamLimitsEncodingTest, RoundTripsAndKeepsUnlimited) {
  StreamLimits limits;
  limits.write_records_per_second = 5000;
  limits.read_calls_per_second = StreamLimits::kUnlimited;
  ASSERT_OK_AND_ASSIGN(StreamLimits decoded,
                       DecodeStreamLimits(EncodeStreamLimits(limits)));
  EXPECT_EQ(decoded, limits);
  EXPECT_EQ(EncodeStreamLimits(StreamLimits::Unlimited()),
            std::string("\x01\x00\x00\x00\x00\x00", 6));
}

TEST(StreamLimitsEncodingTest, RejectsDamage) {
  const std::string encoded = EncodeStreamLimits(StreamLimits());
  EXPECT_THAT(DecodeStreamLimits(""),
              testing::HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(DecodeStreamLimits(encoded.substr(0, 3)),
              testing::HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(DecodeStreamLimits(encoded + "x"),
              testing::HasErrorName(ErrorName::kInternalFailure));
}

}  // namespace
}  // namespace brook
