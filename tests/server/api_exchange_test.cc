// The request path every transport shares, without a socket: a request's
// encoding (JSON 1.1, or the CBOR form the Java SDK sends by default) is
// read into the operations' value tree and the answer written in the same
// encoding. CBOR bodies are built here byte by byte, in the shapes the Java
// SDK v2 writes (indefinite-length maps, byte strings, tag 1 with epoch
// milliseconds).

#include "server/api_exchange.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "aws/event_stream.h"
#include "boost/json/parse.hpp"
#include "boost/json/value.hpp"
#include "brook/error.h"
#include "common/base64.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/cbor_codec.h"
#include "server/kinesis_api.h"
#include "testing/broker_fixture.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr char kShard[] = "shardId-000000000000";

// --- CBOR, by hand (RFC 8949 section 3) ---

// An item's head: major type `major` with argument `n`, shortest form.
std::string Head(int major, uint64_t n) {
  const char type = static_cast<char>(major << 5);
  std::string out;
  if (n < 24) return std::string(1, static_cast<char>(type | n));
  int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffff ? 4 : 8;
  out.push_back(static_cast<char>(type | (bytes == 1   ? 24
                                          : bytes == 2 ? 25
                                          : bytes == 4 ? 26
                                                       : 27)));
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  return out;
}
std::string Text(const std::string& text) {
  return Head(3, text.size()) + text;
}
std::string Bytes(const std::string& bytes) {
  return Head(2, bytes.size()) + bytes;
}
std::string Uint(uint64_t n) { return Head(0, n); }
// An indefinite-length map or array of `items` (keys and values in turn).
std::string IndefiniteMap(const std::vector<std::string>& items) {
  std::string out = "\xbf";
  for (const std::string& item : items) out += item;
  return out + "\xff";
}
std::string IndefiniteArray(const std::vector<std::string>& items) {
  std::string out = "\x9f";
  for (const std::string& item : items) out += item;
  return out + "\xff";
}
// Tag 1 and epoch milliseconds, as the Java SDK writes a timestamp.
std::string Millis(uint64_t millis) { return Head(6, 1) + Uint(millis); }

std::string EveryByteValue() {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  return bytes;
}

class ApiExchangeTest : public testing::BrokerTest {
 protected:
  void SetUp() override {
    Open();
    CreateStream("s", 1);
    api_ = std::make_unique<KinesisApi>(&broker());
    exchange_ = std::make_unique<ApiExchange>(api_.get(), &broker(),
                                              ApiExchangeOptions{});
  }

  static RequestHead HeadFor(const std::string& operation, bool cbor) {
    RequestHead head;
    head.method = "POST";
    head.target = "/";
    head.headers = {{"X-Amz-Target", "Kinesis_20131202." + operation},
                    {"Content-Type",
                     cbor ? kCborContentType : "application/x-amz-json-1.1"}};
    return head;
  }

  ApiResponse CallCbor(const std::string& operation, const std::string& body) {
    return exchange_->Call(HeadFor(operation, true), body);
  }

  // A CBOR answer as the Java SDK reads it, blobs as bytes.
  static boost::json::object Answer(const std::string& operation,
                                    const ApiResponse& response) {
    EXPECT_EQ(response.content_type, kCborContentType);
    absl::StatusOr<boost::json::value> value =
        ReadCbor(response.status == 200 ? OutputShapeOf(operation) : "",
                 response.body, BlobForm::kBytes);
    EXPECT_OK(value);
    if (!value.ok() || !value->is_object()) return {};
    return value->as_object();
  }

  std::vector<std::string> StoredData() {
    return DataOf(ReadShard("s", kShard));
  }

  std::unique_ptr<KinesisApi> api_;
  std::unique_ptr<ApiExchange> exchange_;
};

TEST_F(ApiExchangeTest, CborPutRecords_CarriesEveryByteValue) {
  const std::string data = EveryByteValue();
  const ApiResponse put = CallCbor(
      "PutRecords",
      IndefiniteMap({Text("StreamName"), Text("s"), Text("Records"),
                     IndefiniteArray(
                         {IndefiniteMap({Text("Data"), Bytes(data),
                                         Text("PartitionKey"), Text("a")}),
                          IndefiniteMap({Text("Data"), Bytes(""),
                                         Text("PartitionKey"), Text("b")})})}));
  ASSERT_EQ(put.status, 200) << put.body;
  const boost::json::object result = Answer("PutRecords", put);
  EXPECT_EQ(result.at("FailedRecordCount"), 0);
  EXPECT_EQ(result.at("Records").as_array().size(), 2u);

  EXPECT_THAT(StoredData(), ::testing::ElementsAre(data, ""));
}

TEST_F(ApiExchangeTest, CborGetRecords_AnswersByteStringsAndMillis) {
  const std::string data = EveryByteValue();
  Put("s", "k", data);
  const std::string iterator =
      Iterator("s", kShard, ShardIteratorType::kTrimHorizon);
  const ApiResponse get = CallCbor(
      "GetRecords", IndefiniteMap({Text("ShardIterator"), Text(iterator)}));
  ASSERT_EQ(get.status, 200) << get.body;
  // The raw answer holds the data as one byte string, not as base64.
  EXPECT_NE(get.body.find(Bytes(data)), std::string::npos);
  const boost::json::object answer = Answer("GetRecords", get);
  const boost::json::object& record =
      answer.at("Records").as_array().at(0).as_object();
  EXPECT_EQ(record.at("Data").as_string(), data);
  EXPECT_TRUE(record.at("ApproximateArrivalTimestamp").is_double());
}

TEST_F(ApiExchangeTest, JsonPutRecord_CarriesEveryByteValue) {
  // The same bytes through the JSON path, which decodes base64 in place.
  const std::string data = EveryByteValue();
  const ApiResponse put =
      exchange_->Call(HeadFor("PutRecord", false),
                      R"({"StreamName":"s","PartitionKey":"k","Data":")" +
                          EncodeBase64(data) + R"("})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(StoredData(), ::testing::ElementsAre(data));
}

TEST_F(ApiExchangeTest, CborNestedStructures_AreRead) {
  // A map in a map (ShardFilter), with a tag 1 timestamp in milliseconds.
  const ApiResponse shards = CallCbor(
      "ListShards",
      IndefiniteMap(
          {Text("StreamName"), Text("s"), Text("ShardFilter"),
           IndefiniteMap({Text("Type"), Text("AT_TIMESTAMP"), Text("Timestamp"),
                          Millis(absl::ToUnixMillis(clock().Now()))})}));
  ASSERT_EQ(shards.status, 200) << shards.body;
  EXPECT_EQ(Answer("ListShards", shards).at("Shards").as_array().size(), 1u);

  // A map of strings (Tags) and a definite-length list (TagKeys).
  ASSERT_EQ(CallCbor("AddTagsToStream",
                     IndefiniteMap({Text("StreamName"), Text("s"), Text("Tags"),
                                    Head(5, 2) + Text("team") + Text("a") +
                                        Text("tier") + Text("b")}))
                .status,
            200);
  ASSERT_EQ(
      CallCbor("RemoveTagsFromStream",
               IndefiniteMap({Text("StreamName"), Text("s"), Text("TagKeys"),
                              Head(4, 1) + Text("tier")}))
          .status,
      200);
  const ApiResponse tags = CallCbor(
      "ListTagsForStream", IndefiniteMap({Text("StreamName"), Text("s")}));
  ASSERT_EQ(tags.status, 200) << tags.body;
  const boost::json::object answer = Answer("ListTagsForStream", tags);
  const boost::json::array& list = answer.at("Tags").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("Key"), "team");
  EXPECT_EQ(list[0].at("Value"), "a");
}

TEST_F(ApiExchangeTest,
       MalformedCbor_IsASerializationExceptionAndStoresNothing) {
  const std::string record = IndefiniteMap(
      {Text("Data"), Bytes("x"), Text("PartitionKey"), Text("k")});
  const std::string whole =
      IndefiniteMap({Text("StreamName"), Text("s"), Text("Records"),
                     IndefiniteArray({record, record})});
  std::string too_deep = Text("s");
  for (int i = 0; i < 100; ++i) too_deep = Head(4, 1) + too_deep;
  for (const std::string& bad : {
           whole.substr(0, whole.size() - 2),  // Cut after a whole record.
           whole + Uint(0),                    // Bytes after the item.
           "\xa1" + Uint(1) + Text("s"),       // A key that is not text.
           IndefiniteMap({Text("StreamName"), Text("s"), Text("Records")}),
           IndefiniteMap(
               {Text("StreamName"), Text("s"), Text("Records"), too_deep}),
           std::string("\xff"),  // A break outside.
           std::string(),
       }) {
    const ApiResponse response = CallCbor("PutRecords", bad);
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(Answer("PutRecords", response).at("__type"),
              "SerializationException");
  }
  EXPECT_THAT(StoredData(), ::testing::IsEmpty());
  // The well-formed body, for contrast, stores both records.
  EXPECT_EQ(CallCbor("PutRecords", whole).status, 200);
  EXPECT_EQ(StoredData().size(), 2u);
}

TEST_F(ApiExchangeTest, CborBlobInBase64Text_IsDecodedAndBadTextRefused) {
  const auto put = [&](const std::string& data) {
    return CallCbor("PutRecord",
                    IndefiniteMap({Text("StreamName"), Text("s"), Text("Data"),
                                   data, Text("PartitionKey"), Text("k")}));
  };
  EXPECT_EQ(put(Text("aGk=")).status, 200);
  const ApiResponse bad = put(Text("not base64"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Answer("PutRecord", bad).at("__type"), "SerializationException");
  EXPECT_THAT(StoredData(), ::testing::ElementsAre("hi"));
}

TEST_F(ApiExchangeTest, CborBlobOverTheLimit_IsAValidationException) {
  // The model's Data is at most 10 MiB, counted in bytes, not in the base64
  // characters JSON would need (Brook's own record size limit is lower, and
  // answered by the operation: not a ValidationException).
  constexpr size_t kMaxData = 10 * 1024 * 1024;
  const ApiResponse response = CallCbor(
      "PutRecord", IndefiniteMap({Text("StreamName"), Text("s"), Text("Data"),
                                  Bytes(std::string(kMaxData + 1, 'x')),
                                  Text("PartitionKey"), Text("k")}));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Answer("PutRecord", response).at("__type"), "ValidationException");
  const ApiResponse at_limit = CallCbor(
      "PutRecord", IndefiniteMap({Text("StreamName"), Text("s"), Text("Data"),
                                  Bytes(std::string(kMaxData, 'x')),
                                  Text("PartitionKey"), Text("k")}));
  EXPECT_NE(Answer("PutRecord", at_limit).at("__type"), "ValidationException");
}

// Keeps a subscription's messages.
class MessageSink final : public EventSink {
 public:
  bool Send(std::string message) override {
    absl::MutexLock lock(&mu_);
    decoder_.Append(message);
    for (;;) {
      absl::StatusOr<absl::optional<EventStreamMessage>> next = decoder_.Next();
      EXPECT_OK(next);
      if (!next.ok() || !next->has_value()) return true;
      messages_.push_back(**std::move(next));
    }
  }
  void End() override {}

  // The first `n` messages, once they have come (none after 30 s).
  std::vector<EventStreamMessage> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return messages_.size() >= n;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30))) {
      return {};
    }
    return messages_;
  }

 private:
  absl::Mutex mu_;
  EventStreamDecoder decoder_ ABSL_GUARDED_BY(mu_);
  std::vector<EventStreamMessage> messages_ ABSL_GUARDED_BY(mu_);
};

TEST_F(ApiExchangeTest, CborSubscribeToShard_SendsCborEvents) {
  RegisterStreamConsumerRequest consumer;
  consumer.stream = "s";
  consumer.consumer_name = "c";
  ASSERT_OK_AND_ASSIGN(Consumer registered,
                       broker().RegisterStreamConsumer(consumer));
  const std::string data = EveryByteValue();
  Put("s", "k", data);

  MessageSink sink;
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Subscription> subscription,
      exchange_->Subscribe(
          HeadFor("SubscribeToShard", true),
          IndefiniteMap({Text("ConsumerARN"), Text(registered.consumer_arn),
                         Text("ShardId"), Text(kShard),
                         Text("StartingPosition"),
                         IndefiniteMap({Text("Type"), Text("TRIM_HORIZON")})}),
          &sink));
  const std::vector<EventStreamMessage> messages = sink.WaitFor(2);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].Header(":event-type"), "initial-response");
  EXPECT_EQ(messages[0].Header(":content-type"), kCborContentType);
  EXPECT_EQ(messages[0].payload, "\xa0");  // {}
  EXPECT_EQ(messages[1].Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(messages[1].Header(":content-type"), kCborContentType);
  ASSERT_OK_AND_ASSIGN(
      boost::json::value event,
      ReadCbor("SubscribeToShardEvent", messages[1].payload, BlobForm::kBytes));
  EXPECT_EQ(event.at("Records").as_array().at(0).at("Data").as_string(), data);
  subscription.reset();
}

TEST_F(ApiExchangeTest, CborErrors_AreAnsweredInCbor) {
  const ApiResponse response = CallCbor(
      "DescribeStreamSummary", IndefiniteMap({Text("StreamName"), Text("no")}));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Answer("DescribeStreamSummary", response).at("__type"),
            "ResourceNotFoundException");
  const ApiResponse unknown =
      exchange_->Call(HeadFor("Frobnicate", true), IndefiniteMap({}));
  EXPECT_EQ(Answer("Frobnicate", unknown).at("__type"),
            "UnknownOperationException");
}

}  // namespace
}  // namespace brook
