#include "storage/meta_values.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/hex.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::FromHex;
using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;

void ExpectDataLoss(const absl::Status& status) {
  EXPECT_THAT(status, HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(status, HasErrorName(ErrorName::kInternalFailure));
}

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
  meta.stream_mode = StreamMode::kOnDemand;
  meta.mode_change_ms = {1700000003000};
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
  EXPECT_EQ(decoded.stream_mode, StreamMode::kOnDemand);
  EXPECT_EQ(decoded.mode_change_ms, meta.mode_change_ms);
  EXPECT_FALSE(decoded.shards[0].parent_index.has_value());
  EXPECT_EQ(decoded.shards[1].parent_index, 0u);
  EXPECT_FALSE(decoded.shards[1].adjacent_parent_index.has_value());
  EXPECT_TRUE(decoded.shards[1].open());
  EXPECT_EQ(decoded.shards[1].hash_key_range.starting_hash_key,
            absl::MakeUint128(1, 0));
}

TEST(StreamMetaTest, Encode_GoldenBytes) {
  EXPECT_EQ(EncodeStreamMeta(SampleMeta()),
            FromHex("03"               // version
                    "00000003"         // id
                    "06 6f7264657273"  // "orders"
                    "80d095ffbc31"     // creation_ms 1700000000000
                    "8010 30"          // 2048 KiB, 48 hours
                    "02"               // two shards
                    "00 00 00"         // 0: no parents
                    "00000000000000000000000000000000"
                    "ffffffffffffffffffffffffffffffff"
                    "01 64"         // counters 1 to 99 (+1)
                    "88f795ffbc31"  // closed at 1700000005000
                    "01 01 00"      // 1: parent 0 (+1)
                    "00000000000000010000000000000000"
                    "ffffffffffffffffffffffffffffffff"
                    "64 00 00"                      // from counter 100, open
                    "02 e8d795ffbc31 d0df95ffbc31"  // two scalings
                    "01"                            // ON_DEMAND
                    "01 b8e795ffbc31"));            // one mode change
}

TEST(StreamMetaTest, Decode_ReadsVersionTwoAsProvisioned) {
  std::string v2 = EncodeStreamMeta(SampleMeta());
  v2[0] = 2;
  v2.resize(v2.size() - 8);  // Without the mode and its change.
  ASSERT_OK_AND_ASSIGN(StreamMeta decoded, DecodeStreamMeta(v2));
  EXPECT_EQ(decoded.stream_mode, StreamMode::kProvisioned);
  EXPECT_TRUE(decoded.mode_change_ms.empty());
  EXPECT_EQ(decoded.scaling_ms, SampleMeta().scaling_ms);
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

TEST(StreamMetaTest, Decode_ReportsDamageAsDataLoss) {
  const std::string encoded = EncodeStreamMeta(SampleMeta());
  ExpectDataLoss(DecodeStreamMeta("").status());
  ExpectDataLoss(DecodeStreamMeta("\x04" + encoded.substr(1)).status());
  ExpectDataLoss(
      DecodeStreamMeta(encoded.substr(0, encoded.size() - 3)).status());
  ExpectDataLoss(DecodeStreamMeta(encoded + "x").status());
  std::string bad_mode = encoded;
  bad_mode[bad_mode.size() - 8] = 2;  // Neither PROVISIONED nor ON_DEMAND.
  ExpectDataLoss(DecodeStreamMeta(bad_mode).status());
}

TEST(StreamLimitsTest, Encode_GoldenBytesAndRoundTrip) {
  StreamLimits limits;
  limits.write_bytes_per_second = 1048576;
  limits.write_records_per_second = 5000;
  limits.read_bytes_per_second = 2097152;
  limits.read_calls_per_second = StreamLimits::kUnlimited;
  limits.fan_out_bytes_per_second = 2097152;
  limits.shard_iterator_calls_per_second = 5;
  EXPECT_EQ(EncodeStreamLimits(limits),
            FromHex("02 808040 8827 80808001 00 80808001 05"));
  ASSERT_OK_AND_ASSIGN(StreamLimits decoded,
                       DecodeStreamLimits(EncodeStreamLimits(limits)));
  EXPECT_EQ(decoded, limits);
  EXPECT_EQ(EncodeStreamLimits(StreamLimits::Unlimited()),
            FromHex("02 00 00 00 00 00 00"));
}

// Limits written before GetShardIterator had a limit of its own read with
// Kinesis' 5 calls per second.
TEST(StreamLimitsTest, Decode_ReadsVersionOneWithTheIteratorDefault) {
  ASSERT_OK_AND_ASSIGN(StreamLimits decoded,
                       DecodeStreamLimits(FromHex("01 00 00 00 00 00")));
  StreamLimits expected = StreamLimits::Unlimited();
  expected.shard_iterator_calls_per_second = 5;
  EXPECT_EQ(decoded, expected);
  ExpectDataLoss(DecodeStreamLimits(FromHex("01 00 00 00 00 00 00")).status());
}

TEST(StreamLimitsTest, Decode_ReportsDamageAsDataLoss) {
  const std::string encoded = EncodeStreamLimits(StreamLimits());
  ExpectDataLoss(DecodeStreamLimits("").status());
  ExpectDataLoss(DecodeStreamLimits("\x03" + encoded.substr(1)).status());
  ExpectDataLoss(DecodeStreamLimits(encoded.substr(0, 3)).status());
  ExpectDataLoss(DecodeStreamLimits(encoded + "x").status());
}

TEST(StreamTagsTest, Encode_GoldenBytesAndRoundTrip) {
  const StreamTags tags = {{"env", "prod"}, {"team", "a"}};
  EXPECT_EQ(EncodeStreamTags(tags),
            FromHex("01 02 03 656e76 04 70726f64 04 7465616d 01 61"));
  ASSERT_OK_AND_ASSIGN(StreamTags decoded,
                       DecodeStreamTags(EncodeStreamTags(tags)));
  EXPECT_EQ(decoded, tags);
  ExpectDataLoss(DecodeStreamTags(FromHex("02 00")).status());
  ExpectDataLoss(DecodeStreamTags(FromHex("01 01 03 656e")).status());
  ExpectDataLoss(DecodeStreamTags(EncodeStreamTags(tags) + "x").status());
}

TEST(StreamSettingsTest, Encode_GoldenBytesAndRoundTrip) {
  StreamSettings settings;
  EXPECT_EQ(EncodeStreamSettings(settings), FromHex("01 00 00"));
  settings.shard_level_metrics = 0x41;  // IncomingBytes, IteratorAge...
  settings.policy = "{}";
  EXPECT_EQ(EncodeStreamSettings(settings), FromHex("01 41 01 7b7d"));
  ASSERT_OK_AND_ASSIGN(StreamSettings decoded,
                       DecodeStreamSettings(EncodeStreamSettings(settings)));
  EXPECT_EQ(decoded, settings);
  settings.policy = "";
  EXPECT_EQ(EncodeStreamSettings(settings), FromHex("01 41 01"));
  ASSERT_OK_AND_ASSIGN(decoded,
                       DecodeStreamSettings(EncodeStreamSettings(settings)));
  EXPECT_EQ(decoded, settings);
}

TEST(StreamSettingsTest, Decode_ReportsDamageAsDataLoss) {
  ExpectDataLoss(DecodeStreamSettings("").status());
  ExpectDataLoss(DecodeStreamSettings(FromHex("02 00 00")).status());
  // A metric bit beyond kShardLevelMetrics.
  ExpectDataLoss(DecodeStreamSettings(FromHex("01 8001 00")).status());
  ExpectDataLoss(DecodeStreamSettings(FromHex("01 00")).status());
  ExpectDataLoss(DecodeStreamSettings(FromHex("01 00 00 78")).status());
  ExpectDataLoss(DecodeStreamSettings(FromHex("01 00 02")).status());
}

TEST(StreamEncryptionTest, Encode_GoldenBytesAndRoundTrip) {
  EXPECT_EQ(EncodeStreamEncryption(StreamEncryption()),
            FromHex("01 00 00 00 00"));
  StreamEncryption encryption;
  encryption.keys = {{0, "alias/aws/kinesis", "w0"}, {2, "k", ""}};
  encryption.current = 2;
  encryption.start_ms = {1700000000000, 1};
  encryption.stop_ms = {2};
  const std::string bytes = FromHex(
      "01 03 02"
      "00 11 616c6961732f6177732f6b696e65736973 02 7730"
      "02 01 6b 00"
      "02 80d095ffbc31 01"
      "01 02");
  EXPECT_EQ(EncodeStreamEncryption(encryption), bytes);
  ASSERT_OK_AND_ASSIGN(StreamEncryption decoded, DecodeStreamEncryption(bytes));
  EXPECT_EQ(decoded, encryption);
}

TEST(StreamEncryptionTest, Decode_ReportsDamageAsDataLoss) {
  ExpectDataLoss(DecodeStreamEncryption("").status());
  ExpectDataLoss(DecodeStreamEncryption(FromHex("02 00 00 00 00")).status());
  // The current generation is not among the keys.
  ExpectDataLoss(DecodeStreamEncryption(FromHex("01 01 00 00 00")).status());
  // Generations out of order.
  ExpectDataLoss(
      DecodeStreamEncryption(FromHex("01 00 02 01 00 00 01 00 00 00 00"))
          .status());
  ExpectDataLoss(DecodeStreamEncryption(FromHex("01 00 00 00")).status());
  ExpectDataLoss(DecodeStreamEncryption(FromHex("01 00 00 00 00 00")).status());
}

TEST(ConsumerValueTest, Encode_GoldenBytesAndRoundTrip) {
  // Version 2: creation_ms, tags, then the policy flag and text.
  EXPECT_EQ(EncodeConsumer(ConsumerMeta{.creation_ms = 1700000000000}),
            FromHex("02 80d095ffbc31 00 00"));
  const ConsumerMeta full{.creation_ms = 1700000000000,
                          .tags = {{"a", "1"}, {"team", ""}},
                          .policy = "{}"};
  const std::string full_bytes =
      FromHex("02 80d095ffbc31 02 0161 0131 047465616d 00 01 7b7d");
  EXPECT_EQ(EncodeConsumer(full), full_bytes);
  ASSERT_OK_AND_ASSIGN(ConsumerMeta decoded, DecodeConsumer(full_bytes));
  EXPECT_EQ(decoded, full);
  // Version 1, written before consumers had tags and policies, still reads.
  ASSERT_OK_AND_ASSIGN(ConsumerMeta v1,
                       DecodeConsumer(FromHex("01 80d095ffbc31")));
  EXPECT_EQ(v1, ConsumerMeta{.creation_ms = 1700000000000});
  ExpectDataLoss(DecodeConsumer("").status());
  ExpectDataLoss(DecodeConsumer(FromHex("03 01 00 00")).status());
  ExpectDataLoss(DecodeConsumer(FromHex("01 80")).status());
  ExpectDataLoss(DecodeConsumer(FromHex("01 01 00")).status());
  ExpectDataLoss(DecodeConsumer(FromHex("02 01")).status());  // No tags.
  ExpectDataLoss(DecodeConsumer(FromHex("02 01 01 0161")).status());  // Cut.
  ExpectDataLoss(DecodeConsumer(FromHex("02 01 00")).status());  // No flag.
  ExpectDataLoss(DecodeConsumer(FromHex("02 01 00 02")).status());
  ExpectDataLoss(DecodeConsumer(FromHex("02 01 00 00 7b")).status());
}

TEST(CheckpointValueTest, Encode_GoldenBytesAndRoundTrip) {
  EXPECT_EQ(EncodeCheckpoint(StoredCheckpoint{300, 7, true}),
            FromHex("01 01 ac02 07"));
  EXPECT_EQ(EncodeCheckpoint(StoredCheckpoint{1, 0, false}),
            FromHex("01 00 01 00"));
  ASSERT_OK_AND_ASSIGN(StoredCheckpoint decoded,
                       DecodeCheckpoint(FromHex("01 01 ac02 07")));
  EXPECT_EQ(decoded.counter, 300u);
  EXPECT_EQ(decoded.sub_sequence, 7);
  EXPECT_TRUE(decoded.shard_end);
  ExpectDataLoss(DecodeCheckpoint("").status());
  ExpectDataLoss(DecodeCheckpoint(FromHex("02 00 01 00")).status());
  ExpectDataLoss(DecodeCheckpoint(FromHex("01 02 01 00")).status());
  ExpectDataLoss(DecodeCheckpoint(FromHex("01 00 01")).status());
  ExpectDataLoss(DecodeCheckpoint(FromHex("01 00 01 00 00")).status());
}

TEST(RemoteCheckpointValueTest, Encode_GoldenBytesAndRoundTrip) {
  // Amazon Kinesis' sequence numbers are 56 digits, wider than 128 bits.
  const std::string wide =
      "49590338271490256608559692538361571095921575989136588898";
  ASSERT_OK_AND_ASSIGN(SequenceNumber number, SequenceNumber::Parse(wide));
  EXPECT_EQ(EncodeRemoteCheckpoint(StoredRemoteCheckpoint{number, 300, false}),
            FromHex("01 00 ac02") + wide);
  EXPECT_EQ(
      EncodeRemoteCheckpoint(StoredRemoteCheckpoint{SequenceNumber(), 0, true}),
      FromHex("01 01 00") + "0");
  ASSERT_OK_AND_ASSIGN(StoredRemoteCheckpoint decoded,
                       DecodeRemoteCheckpoint(FromHex("01 00 ac02") + wide));
  EXPECT_EQ(decoded.sequence_number, number);
  EXPECT_EQ(decoded.sub_sequence, 300);
  EXPECT_FALSE(decoded.shard_end);
  ExpectDataLoss(DecodeRemoteCheckpoint("").status());
  ExpectDataLoss(DecodeRemoteCheckpoint(FromHex("02 00 00") + "1").status());
  ExpectDataLoss(DecodeRemoteCheckpoint(FromHex("01 02 00") + "1").status());
  ExpectDataLoss(DecodeRemoteCheckpoint(FromHex("01 00 00")).status());
  ExpectDataLoss(DecodeRemoteCheckpoint(FromHex("01 00 00") + "1x").status());
  ExpectDataLoss(DecodeRemoteCheckpoint(FromHex("01 00 00") + "012").status());
}

TEST(SingleValuesTest, Encode_GoldenBytesAndRoundTrip) {
  EXPECT_EQ(EncodeCounterReservation(0x0102030405060708),
            FromHex("0102030405060708"));
  ASSERT_OK_AND_ASSIGN(uint64_t reservation,
                       DecodeCounterReservation(FromHex("0000000000400001")));
  EXPECT_EQ(reservation, 0x400001u);
  EXPECT_EQ(EncodeNextStreamId(42), FromHex("0000002a"));
  ASSERT_OK_AND_ASSIGN(uint32_t next_id,
                       DecodeNextStreamId(FromHex("0000002a")));
  EXPECT_EQ(next_id, 42u);
  ASSERT_OK_AND_ASSIGN(std::string key, DecodeTokenKey(std::string(32, 'k')));
  EXPECT_EQ(key, std::string(32, 'k'));
  ExpectDataLoss(DecodeCounterReservation(FromHex("01020304")).status());
  ExpectDataLoss(DecodeNextStreamId(FromHex("0000002a00")).status());
  ExpectDataLoss(DecodeTokenKey(std::string(31, 'k')).status());
}

}  // namespace
}  // namespace brook
