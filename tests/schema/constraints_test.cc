// Violations as AWS words them: the examples are AWS's own messages for the
// same requests.

#include "schema/constraints.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook::schema {
namespace {

using ::brook::testing::HasErrorName;
using ::testing::HasSubstr;

TEST(ConstraintsTest, OneViolation_InAwsWords) {
  RequestCheck check("CreateStream");
  check.String("StreamName", "x").Number("ShardCount", 0);
  const absl::Status status = check.Finish();
  EXPECT_THAT(status, HasErrorName(ErrorName::kValidationException));
  EXPECT_EQ(status.message(),
            "1 validation error detected: Value '0' at 'shardCount' failed to "
            "satisfy constraint: Member must have value greater than or equal "
            "to 1");
}

TEST(ConstraintsTest, SeveralViolations_AreListedTogether) {
  RequestCheck check("CreateStream");
  check.String("StreamName", "").Number("MaxRecordSizeInKiB", 99999);
  EXPECT_EQ(check.Finish().message(),
            "3 validation errors detected: "
            "Value '' at 'streamName' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value '' at 'streamName' failed to satisfy constraint: Member "
            "must have length greater than or equal to 1; "
            "Value '99999' at 'maxRecordSizeInKiB' failed to satisfy "
            "constraint: Member must have value less than or equal to 10240");
}

TEST(ConstraintsTest, NestedPaths_NameListEntriesOfStructures) {
  RequestCheck check("PutRecords");
  const Location records = MemberOf(check.input(), "Records");
  const Location second = EntryOf(records, 1);
  check.violations().CheckString(MemberOf(second, "PartitionKey"), "");
  check.violations().Missing(MemberOf(check.input(), "StreamARN"));
  const std::string message(check.Finish().message());
  EXPECT_THAT(message, HasSubstr("Value '' at 'records.2.member.partitionKey' "
                                 "failed to satisfy constraint: Member must "
                                 "have length greater than or equal to 1"));
  EXPECT_THAT(message, HasSubstr("Value null at 'streamARN' failed to satisfy "
                                 "constraint: Member must not be null"));
}

// Strings in lists and maps are reported once per list or map, at it, as
// AWS does (kinesalite's tests of RemoveTagsFromStream and AddTagsToStream,
// written against Kinesis, record these words).
TEST(ConstraintsTest, StringElements_AreReportedOnceAtTheirContainer) {
  Violations violations;
  const Location remove = InputOf("RemoveTagsFromStream");
  const Location keys = MemberOf(remove, "TagKeys");
  auto keys_text = [] { return std::string("[a, <long>, <long>]"); };
  violations.CheckElement(EntryOf(keys, 0), "a", keys_text);
  violations.CheckElement(EntryOf(keys, 1), std::string(129, 'k'), keys_text);
  violations.CheckElement(EntryOf(keys, 2), std::string(130, 'k'), keys_text);
  const Location add = InputOf("AddTagsToStream");
  const Location tags = MemberOf(add, "Tags");
  auto tags_text = [] { return std::string("{a=1, c=<long>}"); };
  violations.CheckElement(ValueOf(tags, "a"), "1", tags_text);
  violations.CheckElement(ValueOf(tags, "c"), std::string(257, 'x'), tags_text);
  EXPECT_EQ(violations.ToStatus().message(),
            "2 validation errors detected: "
            "Value '[a, <long>, <long>]' at 'tagKeys' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must have "
            "length less than or equal to 128, Member must have length "
            "greater than or equal to 1]; "
            "Value '{a=1, c=<long>}' at 'tags' failed to satisfy constraint: "
            "Map value must satisfy constraint: [Member must have length less "
            "than or equal to 256, Member must have length greater than or "
            "equal to 0]");
}

TEST(ConstraintsTest, Enums_AndMapKeys) {
  Violations violations;
  const Location input = InputOf("GetShardIterator");
  violations.CheckString(MemberOf(input, "ShardIteratorType"), "SOMEWHERE");
  const Location add_tags = InputOf("AddTagsToStream");
  const Location tags = MemberOf(add_tags, "Tags");
  auto text = [] { return std::string("{...}"); };
  violations.CheckMapKey(tags, std::string(129, 'k'), text);
  violations.CheckMapKey(tags, "", text);  // Reported once per map.
  const std::string message(violations.ToStatus().message());
  EXPECT_THAT(message, HasSubstr("2 validation errors detected"));
  EXPECT_THAT(message,
              HasSubstr("Value 'SOMEWHERE' at 'shardIteratorType' failed to "
                        "satisfy constraint: Member must satisfy enum value "
                        "set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, "
                        "TRIM_HORIZON, LATEST, AT_TIMESTAMP]"));
  EXPECT_THAT(message,
              HasSubstr("at 'tags' failed to satisfy constraint: Map keys must "
                        "satisfy constraint: [Member must have length less "
                        "than or equal to 128, Member must have length "
                        "greater than or equal to 1]"));
}

TEST(ConstraintsTest, Lengths_CountCharactersAndIntegersAreJavaInts) {
  Violations violations;
  const Location input = InputOf("PutRecord");
  // 256 two-byte characters are 256 characters, not 512.
  std::string key;
  for (int i = 0; i < 256; ++i) key += "\xc3\xa9";
  violations.CheckString(MemberOf(input, "PartitionKey"), key);
  EXPECT_TRUE(violations.empty());
  const Location create = InputOf("CreateStream");
  violations.CheckNumber(MemberOf(create, "ShardCount"), int64_t{1} << 31);
  EXPECT_THAT(std::string(violations.ToStatus().message()),
              HasSubstr("Member must have value less than or equal to "
                        "2147483647"));
}

TEST(ConstraintsTest, AtMostTenViolations) {
  Violations violations;
  const Location input = InputOf("CreateStream");
  for (int i = 0; i < 20; ++i) {
    violations.Missing(MemberOf(input, "StreamName"));
  }
  EXPECT_THAT(std::string(violations.ToStatus().message()),
              HasSubstr("10 validation errors detected"));
}

}  // namespace
}  // namespace brook::schema
