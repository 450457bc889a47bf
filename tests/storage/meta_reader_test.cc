#include "storage/meta_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasCode;
using ::brook::testing::TempDir;

class MetaReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(temp_.path());
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  StreamMeta Meta(uint32_t id) {
    StreamMeta meta;
    meta.id = id;
    meta.name = "s" + std::to_string(id);
    return meta;
  }

  TempDir temp_;
  std::unique_ptr<Store> store_;
};

TEST_F(MetaReaderTest, Streams_ReadStoredValuesAndDefaultsForTheOthers) {
  StreamLimits limits = StreamLimits::Unlimited();
  limits.shard_iterator_calls_per_second = 7;
  StreamSettings settings;
  settings.shard_level_metrics = 0x3;
  settings.policy = R"({"Statement":[]})";
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(Meta(1));
  write.PutStreamLimits(1, limits);
  write.PutStreamTags(1, {{"team", "a"}});
  write.PutStreamSettings(1, settings);
  write.PutStreamMeta(Meta(2));
  ASSERT_OK(store_->Write(write, Durability::kSync));

  ASSERT_OK_AND_ASSIGN(std::vector<StoredStream> streams,
                       MetaReader(store_.get()).Streams());
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].limits, limits);
  EXPECT_EQ(streams[0].tags, (StreamTags{{"team", "a"}}));
  EXPECT_EQ(streams[0].settings, settings);
  EXPECT_EQ(streams[1].limits, StreamLimits());
  EXPECT_TRUE(streams[1].tags.empty());
  EXPECT_EQ(streams[1].settings, StreamSettings());
}

TEST_F(MetaReaderTest, Streams_ReportDamagedSettingsAsDataLoss) {
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(Meta(1));
  ASSERT_OK(store_->Write(write, Durability::kSync));
  ASSERT_OK(store_->TEST_PutRaw(Family::kMeta, StreamSettingsKey(1), "\x02"));
  EXPECT_THAT(MetaReader(store_.get()).Streams(),
              HasCode(absl::StatusCode::kDataLoss));
}

TEST_F(MetaReaderTest, DeleteStream_RemovesEveryValueOfTheStream) {
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(Meta(1));
  write.PutStreamLimits(1, StreamLimits());
  write.PutStreamTags(1, {{"team", "a"}});
  write.PutStreamSettings(1, StreamSettings());
  ASSERT_OK(store_->Write(write, Durability::kSync));
  StoreWrite deletion = store_->NewWrite();
  deletion.DeleteStream(1);
  ASSERT_OK(store_->Write(deletion, Durability::kSync));

  for (const std::string& key : {StreamMetaKey(1), StreamLimitsKey(1),
                                 StreamTagsKey(1), StreamSettingsKey(1)}) {
    ASSERT_OK_AND_ASSIGN(absl::optional<std::string> value,
                         store_->Get(Family::kMeta, key));
    EXPECT_FALSE(value.has_value()) << key;
  }
}

}  // namespace
}  // namespace brook
