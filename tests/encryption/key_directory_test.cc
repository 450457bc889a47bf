#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "brook/encryption.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

constexpr char kArnPrefix[] = "arn:aws:kms:us-east-1:000000000000:";

class KeyDirectoryTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.Sub("keys"); }
  KeyDirectory& keys() { return keys_; }

  // The data key GenerateDataKey(`key_id`) makes unwraps to its plaintext.
  void ExpectRoundTrip(const std::string& key_id) {
    ASSERT_OK_AND_ASSIGN(DataKey key, keys_.GenerateDataKey(key_id));
    EXPECT_EQ(key.plaintext.size(), 32u);
    EXPECT_EQ(key.wrapped.find(key.plaintext), std::string::npos);
    ASSERT_OK_AND_ASSIGN(std::string plaintext,
                         keys_.DecryptDataKey(key_id, key.wrapped));
    EXPECT_EQ(plaintext, key.plaintext);
  }

  static int ModeOf(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return -1;
    return st.st_mode & 0777;
  }

 private:
  ::brook::testing::TempDir dir_;
  KeyDirectory keys_{path(), "us-east-1", "000000000000"};
};

TEST_F(KeyDirectoryTest, ServiceKey_IsCreatedOnFirstUseOwnerOnly) {
  EXPECT_FALSE(std::filesystem::exists(path()));
  ExpectRoundTrip("alias/aws/kinesis");
  EXPECT_EQ(ModeOf(path()), 0700);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path())) {
    EXPECT_EQ(ModeOf(entry.path()), 0600) << entry.path();
    EXPECT_FALSE(absl::EndsWith(entry.path().string(), ".tmp"));
    ++files;
  }
  EXPECT_EQ(files, 2);  // The key and its alias.
  // The same key afterwards, under its alias and its ARNs.
  ASSERT_OK_AND_ASSIGN(std::string arn, keys().KeyArnOf("alias/aws/kinesis"));
  EXPECT_TRUE(absl::StartsWith(arn, absl::StrCat(kArnPrefix, "key/")));
  ExpectRoundTrip(absl::StrCat(kArnPrefix, "alias/aws/kinesis"));
}

TEST_F(KeyDirectoryTest, EveryKeyIdForm_NamesTheSameKey) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  ASSERT_OK(keys().CreateAlias("alias/orders", uuid));
  const std::string arn = absl::StrCat(kArnPrefix, "key/", uuid);
  for (const std::string& key_id : {uuid, arn, std::string("alias/orders"),
                                    absl::StrCat(kArnPrefix, "alias/orders")}) {
    ASSERT_OK_AND_ASSIGN(std::string resolved, keys().KeyArnOf(key_id));
    EXPECT_EQ(resolved, arn) << key_id;
    ExpectRoundTrip(key_id);
  }
}

TEST_F(KeyDirectoryTest, UnknownKeys_AreKmsNotFound) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  for (const std::string& key_id :
       {std::string("12345678-1234-1234-1234-123456789012"),
        std::string("alias/missing"), std::string("not a key"),
        std::string("../../etc/passwd"),
        absl::StrCat("arn:aws:kms:eu-west-1:000000000000:key/", uuid),
        absl::StrCat("arn:aws:kms:us-east-1:111111111111:key/", uuid)}) {
    EXPECT_THAT(keys().GenerateDataKey(key_id),
                HasErrorName(ErrorName::kKMSNotFoundException))
        << key_id;
  }
}

TEST_F(KeyDirectoryTest, DisabledKey_RefusesBothWays) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  ASSERT_OK_AND_ASSIGN(DataKey key, keys().GenerateDataKey(uuid));
  ASSERT_OK(keys().Disable(uuid));
  EXPECT_THAT(keys().GenerateDataKey(uuid),
              HasErrorName(ErrorName::kKMSDisabledException));
  EXPECT_THAT(keys().DecryptDataKey(uuid, key.wrapped),
              HasErrorName(ErrorName::kKMSDisabledException));
  ASSERT_OK(keys().Enable(uuid));
  ASSERT_OK(keys().DecryptDataKey(uuid, key.wrapped).status());
}

TEST_F(KeyDirectoryTest, Rotate_KeepsOldDataKeysReadable) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  ASSERT_OK_AND_ASSIGN(DataKey before, keys().GenerateDataKey(uuid));
  ASSERT_OK(keys().Rotate(uuid));
  ASSERT_OK_AND_ASSIGN(DataKey after, keys().GenerateDataKey(uuid));
  ASSERT_OK_AND_ASSIGN(std::string old_plaintext,
                       keys().DecryptDataKey(uuid, before.wrapped));
  EXPECT_EQ(old_plaintext, before.plaintext);
  ASSERT_OK_AND_ASSIGN(std::string new_plaintext,
                       keys().DecryptDataKey(uuid, after.wrapped));
  EXPECT_EQ(new_plaintext, after.plaintext);
  // The key file now holds two versions of material.
  std::ifstream file(absl::StrCat(path(), "/key-", uuid));
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_THAT(text.str(), ::testing::HasSubstr("\nversion 2 "));
}

TEST_F(KeyDirectoryTest, ReplacedOrDamagedMaterial_IsKmsInvalidState) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  ASSERT_OK_AND_ASSIGN(DataKey key, keys().GenerateDataKey(uuid));
  const std::string file = absl::StrCat(path(), "/key-", uuid);
  {
    std::ofstream out(file, std::ios::trunc);
    out << "brook-master-key 1\nstate enabled\nversion 1 "
        << std::string(64, '7') << "\n";
  }
  EXPECT_THAT(keys().DecryptDataKey(uuid, key.wrapped),
              HasErrorName(ErrorName::kKMSInvalidStateException));
  {
    std::ofstream out(file, std::ios::trunc);
    out << "garbage";
  }
  EXPECT_THAT(keys().GenerateDataKey(uuid),
              HasErrorName(ErrorName::kKMSInvalidStateException));
  EXPECT_THAT(keys().DecryptDataKey(uuid, "\x01short"),
              HasErrorName(ErrorName::kKMSInvalidStateException));
}

TEST_F(KeyDirectoryTest, DeletedKey_IsKmsNotFound) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  ASSERT_OK_AND_ASSIGN(DataKey key, keys().GenerateDataKey(uuid));
  std::filesystem::remove(absl::StrCat(path(), "/key-", uuid));
  EXPECT_THAT(keys().DecryptDataKey(uuid, key.wrapped),
              HasErrorName(ErrorName::kKMSNotFoundException));
}

TEST_F(KeyDirectoryTest, CreateAlias_RefusesServiceAndTakenNames) {
  ASSERT_OK_AND_ASSIGN(std::string uuid, keys().CreateKey());
  EXPECT_THAT(keys().CreateAlias("alias/aws/mine", uuid),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(keys().CreateAlias("orders", uuid),
              HasErrorName(ErrorName::kInvalidArgumentException));
  ASSERT_OK(keys().CreateAlias("alias/orders", uuid));
  EXPECT_THAT(keys().CreateAlias("alias/orders", uuid),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(
      keys().CreateAlias("alias/other", "12345678-1234-1234-1234-123456789012"),
      HasErrorName(ErrorName::kKMSNotFoundException));
}

}  // namespace
}  // namespace brook
