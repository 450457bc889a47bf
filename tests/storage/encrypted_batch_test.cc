#include "storage/encrypted_batch.h"

#include <map>
#include <memory>
#include <string>

#include "common/coding.h"
#include "gtest/gtest.h"
#include "storage/record_batch.h"
#include "testing/hex.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::FromHex;
using ::brook::testing::HasCode;

constexpr ShardRef kShard{1, 2};

// Keys by generation.
class FixedKeys : public BatchKeys {
 public:
  void Add(uint32_t generation, const AesGcmKey& key) {
    keys_[generation] = std::make_shared<const AesGcmKey>(key);
  }
  absl::StatusOr<std::shared_ptr<const AesGcmKey>> KeyFor(
      uint32_t generation) const override {
    auto it = keys_.find(generation);
    if (it == keys_.end()) return absl::NotFoundError("no such generation");
    return it->second;
  }

 private:
  std::map<uint32_t, std::shared_ptr<const AesGcmKey>> keys_;
};

AesGcmKey CountingKey() {
  std::string bytes;
  for (int i = 0; i < 32; ++i) bytes.push_back(static_cast<char>(i));
  return *AesGcmKey::FromBytes(bytes);
}

std::string PlainBatch() {
  std::string batch;
  const RecordView records[] = {{"k", "ab"}, {"", ""}};
  EncodeRecordBatch(1000, records, &batch);
  return batch;
}

TEST(EncryptedBatchTest, Open_GoldenBytes) {
  // Locks the persisted format. Made by an independent implementation of
  // AES-256-GCM (Python's cryptography package) from the layout in
  // encrypted_batch.h: key 00 01 .. 1f, generation 3, shard 2 of stream 1,
  // first counter 16, arrival 1000, the two records of PlainBatch(), the
  // nonce's random part aabbccdd.
  const std::string value = FromHex(
      "e5 01 00000000000003e8 02 03"        // header
      "aabbccdd 0000000000000010"           // nonce
      "8268713f355f9bcdce9ad3b27232abff"    // ciphertext
      "1e88bd00b2ced0c6c2d11fcd06cdf5a6");  // tag
  FixedKeys keys;
  keys.Add(3, CountingKey());
  ASSERT_OK_AND_ASSIGN(std::string batch,
                       OpenRecordBatch(kShard, 16, value, keys));
  EXPECT_EQ(batch, PlainBatch());
  ASSERT_OK_AND_ASSIGN(StoredBatchHeader header, ReadStoredBatchHeader(value));
  EXPECT_EQ(header.arrival_ms, 1000);
  EXPECT_EQ(header.count, 2u);
  EXPECT_EQ(header.key_generation, 3u);
}

TEST(EncryptedBatchTest, Seal_LaysOutHeaderAndCounterNonce) {
  std::string value = "prefix";
  ASSERT_OK(SealRecordBatch(kShard, 16, 1000, 2, 3, CountingKey(), PlainBatch(),
                            &value));
  const std::string sealed = value.substr(6);
  EXPECT_EQ(value.substr(0, 6), "prefix");
  EXPECT_EQ(sealed.substr(0, 12), FromHex("e5 01 00000000000003e8 02 03"));
  // The nonce: 4 random bytes, then the first counter.
  EXPECT_EQ(sealed.substr(16, 8), FromHex("0000000000000010"));
  EXPECT_EQ(sealed.size(), 12 + 12 + PlainBatch().size() + 16);
  EXPECT_EQ(sealed.find("ab"), std::string::npos);
  FixedKeys keys;
  keys.Add(3, CountingKey());
  ASSERT_OK_AND_ASSIGN(std::string batch,
                       OpenRecordBatch(kShard, 16, sealed, keys));
  EXPECT_EQ(batch, PlainBatch());
}

TEST(EncryptedBatchTest, Seal_NeverRepeatsANonce) {
  std::string first;
  std::string second;
  ASSERT_OK(SealRecordBatch(kShard, 16, 1000, 2, 3, CountingKey(), PlainBatch(),
                            &first));
  ASSERT_OK(SealRecordBatch(kShard, 16, 1000, 2, 3, CountingKey(), PlainBatch(),
                            &second));
  // The same position sealed twice (a directory restored from a backup and
  // written again): the random part keeps the nonces apart.
  EXPECT_NE(first.substr(12, 12), second.substr(12, 12));
}

TEST(EncryptedBatchTest, Open_DetectsEveryFlippedBit) {
  std::string value;
  ASSERT_OK(SealRecordBatch(kShard, 16, 1000, 2, 0, CountingKey(), PlainBatch(),
                            &value));
  FixedKeys keys;
  keys.Add(0, CountingKey());
  for (size_t bit = 0; bit < value.size() * 8; ++bit) {
    std::string changed = value;
    changed[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    absl::StatusOr<std::string> opened =
        OpenRecordBatch(kShard, 16, changed, keys);
    // Either damage, or (a changed generation) a key the stream lacks;
    // never bytes.
    EXPECT_FALSE(opened.ok()) << "bit " << bit;
    if (bit >= 24 * 8) {
      EXPECT_THAT(opened, HasCode(absl::StatusCode::kDataLoss)) << bit;
    }
  }
}

TEST(EncryptedBatchTest, Open_RefusesABatchMovedElsewhere) {
  std::string value;
  ASSERT_OK(SealRecordBatch(kShard, 16, 1000, 2, 0, CountingKey(), PlainBatch(),
                            &value));
  FixedKeys keys;
  keys.Add(0, CountingKey());
  EXPECT_THAT(OpenRecordBatch(kShard, 17, value, keys),
              HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(OpenRecordBatch(ShardRef{1, 3}, 16, value, keys),
              HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(OpenRecordBatch(ShardRef{2, 2}, 16, value, keys),
              HasCode(absl::StatusCode::kDataLoss));
  ASSERT_OK(OpenRecordBatch(kShard, 16, value, keys).status());
}

TEST(EncryptedBatchTest, Open_PassesOnTheKeysError) {
  std::string value;
  ASSERT_OK(SealRecordBatch(kShard, 16, 1000, 2, 5, CountingKey(), PlainBatch(),
                            &value));
  EXPECT_THAT(OpenRecordBatch(kShard, 16, value, FixedKeys()),
              HasCode(absl::StatusCode::kNotFound));
}

TEST(EncryptedBatchTest, ReadStoredBatchHeader_ReadsBothForms) {
  ASSERT_OK_AND_ASSIGN(StoredBatchHeader plain,
                       ReadStoredBatchHeader(PlainBatch()));
  EXPECT_EQ(plain.arrival_ms, 1000);
  EXPECT_EQ(plain.count, 2u);
  EXPECT_FALSE(plain.key_generation.has_value());
  EXPECT_FALSE(IsEncryptedBatch(PlainBatch()));
  EXPECT_THAT(ReadStoredBatchHeader(FromHex("e5 01 0000")),
              HasCode(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ReadStoredBatchHeader(FromHex("e5 02 00000000000003e8 02 03")),
              HasCode(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace brook
