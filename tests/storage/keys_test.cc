// Golden bytes of every key layout of storage/keys.h: a change to any of
// them breaks every data directory written before, so it must fail here
// first (and come with a new kDataDirFormatVersion).

#include "storage/keys.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/hex.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::FromHex;
using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;

constexpr ShardRef kShard{0x01020304, 0x0a0b0c0d};

std::string Text(absl::string_view text) { return std::string(text); }

void ExpectDataLoss(const absl::Status& status) {
  EXPECT_THAT(status, HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(status, HasErrorName(ErrorName::kInternalFailure));
}

TEST(KeysTest, RecordKey_GoldenBytes) {
  EXPECT_EQ(RecordKey(kShard, 0x1122334455667788),
            FromHex("01020304 0a0b0c0d 1122334455667788"));
  ASSERT_OK_AND_ASSIGN(uint64_t counter,
                       ParseRecordKey(kShard, RecordKey(kShard, 42)));
  EXPECT_EQ(counter, 42u);
}

TEST(KeysTest, TimeIndexKey_GoldenBytes) {
  EXPECT_EQ(TimeIndexKey(kShard, 0x0000018bcfe56800, 7),
            FromHex("01020304 0a0b0c0d 0000018bcfe56800 0000000000000007"));
  ASSERT_OK_AND_ASSIGN(uint64_t counter,
                       ParseTimeIndexKey(kShard, TimeIndexKey(kShard, 5, 9)));
  EXPECT_EQ(counter, 9u);
}

TEST(KeysTest, ShardAndStreamRanges_GoldenBytes) {
  const KeyRange shard = ShardKeys(kShard);
  EXPECT_EQ(shard.begin, FromHex("01020304 0a0b0c0d"));
  EXPECT_EQ(shard.end, FromHex("01020304 0a0b0c0e"));
  const KeyRange stream = StreamKeys(7);
  EXPECT_EQ(stream.begin, FromHex("00000007"));
  EXPECT_EQ(stream.end, FromHex("00000008"));
}

TEST(KeysTest, RecordKeys_SortByCounterWithinTheirShard) {
  // Bytewise order is numeric order, and one shard is one key range.
  EXPECT_LT(RecordKey(kShard, 255), RecordKey(kShard, 256));
  const KeyRange range = ShardKeys(kShard);
  for (uint64_t counter : {uint64_t{0}, uint64_t{1} << 40, UINT64_MAX}) {
    EXPECT_GE(RecordKey(kShard, counter), range.begin);
    EXPECT_LT(RecordKey(kShard, counter), range.end);
    EXPECT_GE(TimeIndexKey(kShard, INT64_MAX, counter), range.begin);
    EXPECT_LT(TimeIndexKey(kShard, INT64_MAX, counter), range.end);
  }
  const ShardRef next{kShard.stream_id, kShard.shard_index + 1};
  EXPECT_GE(RecordKey(next, 0), range.end);
}

TEST(KeysTest, StreamMetaKeys_GoldenBytes) {
  EXPECT_EQ(StreamMetaKey(0x01020304), Text("stream/") + FromHex("01020304"));
  EXPECT_EQ(StreamLimitsKey(5), Text("limits/") + FromHex("00000005"));
  EXPECT_EQ(StreamTagsKey(5), Text("tags/") + FromHex("00000005"));
  EXPECT_EQ(StreamSettingsKey(5), Text("settings/") + FromHex("00000005"));
  EXPECT_EQ(StreamEncryptionKey(5), Text("encryption/") + FromHex("00000005"));
  EXPECT_EQ(AllStreamMetaKeys().begin, "stream/");
  EXPECT_EQ(AllStreamMetaKeys().end, "stream0");
}

TEST(KeysTest, ConsumerKey_GoldenBytes) {
  EXPECT_EQ(ConsumerKey(5, "app"),
            Text("consumer/") + FromHex("00000005") + "app");
  EXPECT_EQ(ConsumerKeys(5).begin, Text("consumer/") + FromHex("00000005"));
  EXPECT_EQ(ConsumerKeys(5).end, Text("consumer/") + FromHex("00000006"));
  EXPECT_EQ(AllConsumerKeys().begin, "consumer/");
  EXPECT_EQ(AllConsumerKeys().end, "consumer0");
  ASSERT_OK_AND_ASSIGN(ConsumerKeyParts parts,
                       ParseConsumerKey(ConsumerKey(5, "app")));
  EXPECT_EQ(parts.stream_id, 5u);
  EXPECT_EQ(parts.name, "app");
}

TEST(KeysTest, CheckpointKey_GoldenBytes) {
  EXPECT_EQ(CheckpointKey(5, "kcl", 7), Text("checkpoint/") +
                                            FromHex("00000005 03") + "kcl" +
                                            FromHex("00000007"));
  const KeyRange application = CheckpointKeys(5, "kcl");
  EXPECT_EQ(application.begin,
            Text("checkpoint/") + FromHex("00000005 03") + "kcl");
  EXPECT_EQ(application.end, Text("checkpoint/") + FromHex("00000005 03") +
                                 "kcl" + FromHex("ffffffff 00"));
  EXPECT_EQ(StreamCheckpointKeys(5).begin,
            Text("checkpoint/") + FromHex("00000005"));
  EXPECT_EQ(StreamCheckpointKeys(5).end,
            Text("checkpoint/") + FromHex("00000006"));
  ASSERT_OK_AND_ASSIGN(
      uint32_t shard, ParseCheckpointKey(5, "kcl", CheckpointKey(5, "kcl", 7)));
  EXPECT_EQ(shard, 7u);
}

TEST(KeysTest, CheckpointKeys_OfOneApplicationExcludeAnother) {
  // "kc" is a prefix of "kcl", but its length byte keeps the ranges apart.
  const KeyRange kc = CheckpointKeys(5, "kc");
  const std::string other = CheckpointKey(5, "kcl", 0);
  EXPECT_TRUE(other < kc.begin || other >= kc.end);
  EXPECT_LT(CheckpointKey(5, "kc", UINT32_MAX), kc.end);
}

TEST(KeysTest, RemoteCheckpointKey_GoldenBytes) {
  const RemoteStreamKey stream{"http://h:1", "s"};
  const std::string prefix = Text("remote_checkpoint/") + FromHex("0a") +
                             "http://h:1" + FromHex("01") + "s" +
                             FromHex("03") + "kcl";
  EXPECT_EQ(RemoteCheckpointKey(stream, "kcl", "shardId-7"),
            prefix + "shardId-7");
  const KeyRange application = RemoteCheckpointKeys(stream, "kcl");
  EXPECT_EQ(application.begin, prefix);
  EXPECT_EQ(application.end, Text("remote_checkpoint/") + FromHex("0a") +
                                 "http://h:1" + FromHex("01") + "s" +
                                 FromHex("03") + "kcm");
  ASSERT_OK_AND_ASSIGN(
      std::string shard_id,
      ParseRemoteCheckpointKey(stream, "kcl", prefix + "shardId-7"));
  EXPECT_EQ(shard_id, "shardId-7");
  ExpectDataLoss(ParseRemoteCheckpointKey(stream, "kcl", prefix).status());
  ExpectDataLoss(
      ParseRemoteCheckpointKey(stream, "kc", prefix + "shardId-7").status());
}

TEST(KeysTest, RemoteCheckpointKeys_OfOneStreamExcludeAnother) {
  // Length prefixes keep apart endpoints, streams and applications that
  // are prefixes of each other, or that would concatenate alike.
  const KeyRange range = RemoteCheckpointKeys({"http://h:1", "s"}, "app");
  for (const std::string& other :
       {RemoteCheckpointKey({"http://h:1", "s"}, "app2", "x"),
        RemoteCheckpointKey({"http://h:1", "sa"}, "pp", "x"),
        RemoteCheckpointKey({"http://h:12", "s"}, "app", "x"),
        RemoteCheckpointKey({"http://h:1s", ""}, "app", "x")}) {
    EXPECT_TRUE(other < range.begin || other >= range.end) << other;
  }
}

TEST(KeysTest, SingleKeys_GoldenBytes) {
  EXPECT_EQ(kCounterReservationKey, "counter_reservation");
  EXPECT_EQ(kNextStreamIdKey, "next_stream_id");
  EXPECT_EQ(kTokenKeyKey, "token_key");
}

TEST(KeysTest, Parsers_ReportDamagedKeysAsDataLoss) {
  const ShardRef other{kShard.stream_id, kShard.shard_index + 1};
  ExpectDataLoss(
      ParseRecordKey(kShard, RecordKey(kShard, 1).substr(0, 15)).status());
  ExpectDataLoss(ParseRecordKey(kShard, RecordKey(kShard, 1) + "x").status());
  ExpectDataLoss(ParseRecordKey(kShard, RecordKey(other, 1)).status());
  ExpectDataLoss(ParseTimeIndexKey(kShard, RecordKey(kShard, 1)).status());
  ExpectDataLoss(ParseTimeIndexKey(other, TimeIndexKey(kShard, 1, 1)).status());
  ExpectDataLoss(
      ParseConsumerKey(Text("consumer/") + FromHex("00000005")).status());
  ExpectDataLoss(ParseConsumerKey("stream/xxxxx").status());
  ExpectDataLoss(
      ParseCheckpointKey(5, "kcl", CheckpointKey(5, "kc", 7)).status());
  ExpectDataLoss(
      ParseCheckpointKey(5, "kcl", CheckpointKey(5, "kcl", 7) + "x").status());
}

}  // namespace
}  // namespace brook
