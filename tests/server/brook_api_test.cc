// Brook's own operations on the wire (the Brook_20261201 target): their
// errors in the same words as the Kinesis operations'.

#include "server/brook_api.h"

#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

class BrookApiTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
    api_ = std::make_unique<BrookApi>(&broker());
  }

  // The error `operation` answers `body` with: its name and message.
  std::pair<ErrorName, std::string> Error(const std::string& operation,
                                          const std::string& body) {
    absl::StatusOr<std::string> response = api_->Call(operation, body);
    EXPECT_FALSE(response.ok()) << operation << " " << body;
    return {ErrorNameOf(response.status()),
            std::string(response.status().message())};
  }

  std::unique_ptr<BrookApi> api_;
};

// A missing member as AWS words it for a Kinesis operation: "Value null at
// '<path>' failed to satisfy constraint: Member must not be null", the path
// in lower camel case, nested members joined by dots.
TEST_F(BrookApiTest, MissingMembers_InAwsWords) {
  EXPECT_EQ(Error("UpdateStreamLimits", R"({"StreamName":"s"})"),
            std::make_pair(ErrorName::kValidationException,
                           std::string("1 validation error detected: Value "
                                       "null at 'streamLimits' failed to "
                                       "satisfy constraint: Member must not "
                                       "be null")));
  EXPECT_EQ(
      Error("UpdateStreamLimits",
            R"({"StreamName":"s","StreamLimits":{"WriteBytesPerSecond":1}})"),
      std::make_pair(ErrorName::kValidationException,
                     std::string("1 validation error detected: Value null at "
                                 "'streamLimits.writeRecordsPerSecond' failed "
                                 "to satisfy constraint: Member must not be "
                                 "null")));
  EXPECT_EQ(Error("GetCheckpoints", R"({"StreamName":"s"})"),
            std::make_pair(ErrorName::kValidationException,
                           std::string("1 validation error detected: Value "
                                       "null at 'applicationName' failed to "
                                       "satisfy constraint: Member must not "
                                       "be null")));
}

// An integer beyond a Java int, and a value of the wrong JSON type, as
// Kinesis answers them for its own integer members.
TEST_F(BrookApiTest, IntegersAndTypes_InAwsWords) {
  EXPECT_EQ(
      Error("CreateStream",
            R"({"StreamName":"t","ShardCount":3000000000,"StreamLimits":{}})"),
      std::make_pair(ErrorName::kValidationException,
                     std::string("1 validation error detected: Value "
                                 "'3000000000' at 'shardCount' failed to "
                                 "satisfy constraint: Member must have value "
                                 "less than or equal to 2147483647")));
  EXPECT_EQ(
      Error("GetCheckpoints", R"({"StreamName":"s","ApplicationName":7})"),
      std::make_pair(ErrorName::kSerializationException,
                     std::string("class java.math.BigDecimal can not be "
                                 "converted to an String")));
}

}  // namespace
}  // namespace brook
