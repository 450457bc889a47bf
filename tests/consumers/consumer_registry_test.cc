// The consumer registry against its catalog: nothing is registered for a
// stream deleted while the registration was on its way.

#include "consumers/consumer_registry.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/keys.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

TEST(ConsumerRegistryTest, Register_ForADeletedStreamStoresNothing) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Store::Open(dir.path()));
  ShardLog log(store.get());
  Catalog catalog(store.get(), &log, BrokerOptions());
  ASSERT_OK(catalog.Load(absl::UnixEpoch()).status());
  CreateStreamRequest create;
  create.stream_name = "s";
  ASSERT_OK(catalog.Create(create, 1, absl::UnixEpoch()));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<StreamState> stream, catalog.Find("s"));
  ConsumerRegistry registry(store.get(), &catalog, 20);
  ASSERT_OK(catalog.Delete(stream));

  EXPECT_THAT(registry.Register(*stream, "app", {}, absl::UnixEpoch()),
              HasErrorName(ErrorName::kResourceNotFoundException));
  ASSERT_OK_AND_ASSIGN(
      absl::optional<std::string> stored,
      store->Get(Family::kMeta, ConsumerKey(stream->id(), "app")));
  EXPECT_FALSE(stored.has_value());
}

}  // namespace
}  // namespace brook
