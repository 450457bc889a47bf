#include "cli/record_format.h"

#include <cstdio>

#include "cli/record_input.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook::cli {
namespace {

using ::brook::testing::HasErrorName;

Record MakeRecord(std::string key, std::string data) {
  Record record;
  record.sequence_number = SequenceNumber(absl::uint128(42));
  record.approximate_arrival_timestamp = absl::FromUnixMillis(1500);
  record.partition_key = std::move(key);
  record.data = std::move(data);
  return record;
}

std::string Print(const RecordFormatter& formatter, const Record& record) {
  std::string out;
  formatter.Append({"orders", "shardId-000000000001"}, record, &out);
  return out;
}

TEST(RecordFormatterTest, Parse_EveryFieldAndEscape) {
  ASSERT_OK_AND_ASSIGN(
      RecordFormatter formatter,
      RecordFormatter::Parse("%t/%p@%o %k(%K)=%s(%S) at %T 100%%\\t.\\n"));
  EXPECT_EQ(Print(formatter, MakeRecord("key", "hello")),
            "orders/shardId-000000000001@42 key(3)=hello(5) at 1500 100%\t.\n");
}

TEST(RecordFormatterTest, Parse_UnknownOrCutShortSequences_Fail) {
  for (const char* bad : {"%x", "%", "\\q", "abc\\"}) {
    EXPECT_THAT(RecordFormatter::Parse(bad).status(),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << bad;
  }
}

TEST(RecordFormatterTest, ForOutput_TextHexAndJson) {
  const Record record = MakeRecord("k", "hi");
  EXPECT_EQ(Print(RecordFormatter::ForOutput(OutputFormat::kText), record),
            "hi\n");
  EXPECT_EQ(Print(RecordFormatter::ForOutput(OutputFormat::kHex), record),
            "6869\n");
  EXPECT_EQ(Print(RecordFormatter::ForOutput(OutputFormat::kJson), record),
            "{\"stream\":\"orders\",\"shard_id\":\"shardId-000000000001\","
            "\"sequence_number\":\"42\",\"partition_key\":\"k\","
            "\"arrival\":\"1970-01-01T00:00:01.500Z\",\"arrival_ms\":1500,"
            "\"data\":\"hi\"}\n");
}

TEST(RecordFormatterTest, Json_BinaryDataIsBase64) {
  const std::string json =
      RecordJson({"s", "shardId-000000000000"},
                 MakeRecord("k", std::string("\xff\x00\x01", 3)));
  EXPECT_THAT(json, ::testing::HasSubstr("\"data_base64\":\"/wAB\""));
  EXPECT_THAT(json, ::testing::Not(::testing::HasSubstr("\"data\":")));
  // Multi-byte UTF-8 stays text; a cut sequence does not.
  EXPECT_THAT(RecordJson({"s", "x"}, MakeRecord("k", "caf\xc3\xa9")),
              ::testing::HasSubstr("\"data\":\"caf\xc3\xa9\""));
  EXPECT_THAT(RecordJson({"s", "x"}, MakeRecord("k", "caf\xc3")),
              ::testing::HasSubstr("data_base64"));
}

TEST(RecordFormatterTest, ParseOutputFormat_UnknownName_Fails) {
  EXPECT_THAT(ParseOutputFormat("yaml").status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

// Reads every record of `input` framed as `framing`.
absl::StatusOr<std::vector<std::string>> ReadAll(const std::string& input,
                                                 RecordInput::Framing framing) {
  FILE* file = fmemopen(const_cast<char*>(input.data()), input.size(), "r");
  RecordInput reader(file, framing);
  std::vector<std::string> records;
  absl::Status status;
  while (true) {
    absl::StatusOr<absl::optional<std::string>> next = reader.Next();
    if (!next.ok()) {
      status = next.status();
      break;
    }
    if (!next->has_value()) break;
    records.push_back(**next);
  }
  std::fclose(file);
  if (!status.ok()) return status;
  return records;
}

TEST(RecordInputTest, Lines_SkipEmptyLinesAndCarriageReturns) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<std::string> records,
      ReadAll("one\r\n\ntwo\nthree", RecordInput::Framing::kLines));
  EXPECT_THAT(records, ::testing::ElementsAre("one", "two", "three"));
}

TEST(RecordInputTest, LengthPrefixed_ReadsBinaryRecords) {
  const std::string input("\0\0\0\3a\nb\0\0\0\0", 11);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> records,
                       ReadAll(input, RecordInput::Framing::kLengthPrefixed));
  EXPECT_THAT(records, ::testing::ElementsAre("a\nb", ""));
}

TEST(RecordInputTest, LengthPrefixed_CutShortOrHuge_Fails) {
  EXPECT_THAT(ReadAll(std::string("\0\0\0\5ab", 6),
                      RecordInput::Framing::kLengthPrefixed)
                  .status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(
      ReadAll(std::string("\0\0", 2), RecordInput::Framing::kLengthPrefixed)
          .status(),
      HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(ReadAll(std::string("\xff\0\0\0", 4),
                      RecordInput::Framing::kLengthPrefixed)
                  .status(),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook::cli
