// Writing response values as the SDKs read them.

#include "server/json_fields.h"

#include "boost/json/monotonic_resource.hpp"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

// A sequence number is its decimal digits, in the answer's storage: Brook's
// numbers of up to 128 bits, and the 56-digit numbers of Amazon Kinesis
// (the API reference's pattern 0|([1-9]\d{0,128})) that a remote Broker
// passes on.
TEST(JsonFieldsTest, SequenceNumberJson_IsItsDecimalDigits) {
  boost::json::monotonic_resource arena;
  const boost::json::storage_ptr storage(&arena);
  for (const char* text :
       {"0", "10000000000000000000", "340282366920938463463374607431768211455",
        "340282366920938463463374607431768211456",
        "49590338271490256608559692538361571095921575989136588898"}) {
    ASSERT_OK_AND_ASSIGN(SequenceNumber number, SequenceNumber::Parse(text));
    const boost::json::string json = SequenceNumberJson(number, storage);
    EXPECT_EQ(json, text);
    EXPECT_EQ(json.storage().get(), storage.get()) << text;
  }
}

}  // namespace
}  // namespace brook
