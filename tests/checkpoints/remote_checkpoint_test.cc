// Checkpoints a local Broker keeps for streams other Brokers serve: keyed by
// endpoint, stream and application, durable across reopening, checked only
// for their form, listed and deleted by their owner, and failing clearly on
// a failing disk.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/broker_fixture.h"
#include "testing/fault_fs.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::Fault;
using ::brook::testing::FaultError;
using ::brook::testing::FaultOp;
using ::brook::testing::HasCode;
using ::brook::testing::HasErrorName;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kKinesis[] = "https://kinesis.eu-west-1.amazonaws.com:443";
constexpr char kBrookd[] = "http://127.0.0.1:4567";
constexpr char kArn[] = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders";
// An Amazon Kinesis sequence number: 56 digits, wider than Brook's own.
constexpr char kWide[] =
    "49590338271490256608559692538361571095921575989136588898";

SequenceNumber Number(absl::string_view text) {
  absl::StatusOr<SequenceNumber> number = SequenceNumber::Parse(text);
  EXPECT_OK(number);
  return number.ok() ? *number : SequenceNumber();
}

PutCheckpointRequest RemoteCheckpoint(const std::string& endpoint,
                                      const std::string& stream,
                                      const std::string& application,
                                      const std::string& shard_id,
                                      absl::string_view number) {
  PutCheckpointRequest request;
  request.remote_endpoint = endpoint;
  request.stream = stream;
  request.application_name = application;
  request.shard_id = shard_id;
  request.sequence_number = Number(number);
  return request;
}

class RemoteCheckpointTest : public testing::BrokerTest {
 protected:
  void SetUp() override { Open(); }

  std::vector<Checkpoint> Checkpoints(const std::string& endpoint,
                                      const std::string& stream,
                                      const std::string& application) {
    absl::StatusOr<GetCheckpointsResult> result =
        broker().GetCheckpoints({stream, application, endpoint});
    EXPECT_OK(result);
    return result.ok() ? result->checkpoints : std::vector<Checkpoint>();
  }
};

TEST_F(RemoteCheckpointTest, PutAndGet_KeyedByEndpointStreamAndApplication) {
  // No local stream "orders" exists: a remote stream is not looked up.
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000001", kWide)));
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "5")));
  PutCheckpointRequest replaced =
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "7");
  replaced.sub_sequence_number = 2;
  ASSERT_OK(broker().PutCheckpoint(replaced));
  // The same stream name behind another endpoint, another stream, another
  // application.
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kBrookd, kArn, "app", "shardId-000000000000", "11")));
  ASSERT_OK(broker().PutCheckpoint(RemoteCheckpoint(
      kKinesis, "other", "app", "shardId-000000000000", "12")));
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app2", "shardId-000000000000", "13")));
  Reopen();

  const std::vector<Checkpoint> app = Checkpoints(kKinesis, kArn, "app");
  ASSERT_THAT(app, SizeIs(2));
  EXPECT_EQ(app[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(app[0].sequence_number, Number("7"));
  EXPECT_EQ(app[0].sub_sequence_number, 2);
  EXPECT_EQ(app[1].shard_id, "shardId-000000000001");
  EXPECT_EQ(app[1].sequence_number.ToString(), kWide);
  EXPECT_FALSE(app[1].shard_end);
  ASSERT_THAT(Checkpoints(kBrookd, kArn, "app"), SizeIs(1));
  EXPECT_EQ(Checkpoints(kBrookd, kArn, "app")[0].sequence_number, Number("11"));
  ASSERT_THAT(Checkpoints(kKinesis, "other", "app"), SizeIs(1));
  ASSERT_THAT(Checkpoints(kKinesis, kArn, "app2"), SizeIs(1));
  EXPECT_THAT(Checkpoints(kKinesis, kArn, "never"), IsEmpty());
  // Nor are they a local stream's: there is none.
  EXPECT_THAT(broker().GetCheckpoints({kArn, "app"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(RemoteCheckpointTest, ShardEnd_KeptWithoutASequenceNumber) {
  PutCheckpointRequest end =
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "0");
  end.shard_end = true;
  end.sub_sequence_number = 4;  // Ignored at a shard end, as locally.
  ASSERT_OK(broker().PutCheckpoint(end));
  const std::vector<Checkpoint> checkpoints =
      Checkpoints(kKinesis, kArn, "app");
  ASSERT_THAT(checkpoints, SizeIs(1));
  EXPECT_TRUE(checkpoints[0].shard_end);
  EXPECT_EQ(checkpoints[0].sub_sequence_number, 0);
}

TEST_F(RemoteCheckpointTest, Delete_RemovesOnlyThatApplicationsOfThatStream) {
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "5")));
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000001", "6")));
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app2", "shardId-000000000000", "7")));
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kBrookd, kArn, "app", "shardId-000000000000", "8")));
  ASSERT_OK(broker().DeleteCheckpoints({kArn, "app", kKinesis}));
  ASSERT_OK(broker().DeleteCheckpoints({kArn, "never", kKinesis}));  // None.
  Reopen();
  EXPECT_THAT(Checkpoints(kKinesis, kArn, "app"), IsEmpty());
  EXPECT_THAT(Checkpoints(kKinesis, kArn, "app2"), SizeIs(1));
  EXPECT_THAT(Checkpoints(kBrookd, kArn, "app"), SizeIs(1));
}

TEST_F(RemoteCheckpointTest, Delete_OfALocalStream) {
  CreateStream("s", 1);
  const PutRecordResult put = Put("s", "k", "x");
  PutCheckpointRequest local;
  local.stream = "s";
  local.application_name = "app";
  local.shard_id = put.shard_id;
  local.sequence_number = put.sequence_number;
  ASSERT_OK(broker().PutCheckpoint(local));
  ASSERT_OK(broker().DeleteCheckpoints({"s", "app"}));
  ASSERT_OK_AND_ASSIGN(GetCheckpointsResult result,
                       broker().GetCheckpoints({"s", "app"}));
  EXPECT_THAT(result.checkpoints, IsEmpty());
  EXPECT_THAT(broker().DeleteCheckpoints({"missing", "app"}),
              HasErrorName(ErrorName::kResourceNotFoundException));
}

TEST_F(RemoteCheckpointTest, Put_RejectsMalformedRequestsAndStoresNothing) {
  const auto put = [&](PutCheckpointRequest request) {
    return broker().PutCheckpoint(request);
  };
  const PutCheckpointRequest good =
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "5");

  for (const std::string& endpoint :
       {std::string("kinesis.eu-west-1.amazonaws.com"), std::string("ftp://h"),
        std::string("http://"), std::string("http://h st"),
        std::string("https://h\n"), "https://" + std::string(2041, 'h')}) {
    PutCheckpointRequest request = good;
    request.remote_endpoint = endpoint;
    EXPECT_THAT(put(request),
                HasErrorName(ErrorName::kInvalidArgumentException))
        << endpoint;
    EXPECT_THAT(broker().GetCheckpoints({kArn, "app", endpoint}),
                HasErrorName(ErrorName::kInvalidArgumentException));
  }
  PutCheckpointRequest longest = good;
  longest.remote_endpoint = "https://" + std::string(2040, 'h');
  EXPECT_OK(put(longest));

  PutCheckpointRequest zero = good;
  zero.sequence_number = SequenceNumber();
  EXPECT_THAT(put(zero), HasErrorName(ErrorName::kInvalidArgumentException));
  PutCheckpointRequest negative = good;
  negative.sub_sequence_number = -1;
  EXPECT_THAT(put(negative),
              HasErrorName(ErrorName::kInvalidArgumentException));
  for (const std::string& shard_id :
       {std::string(""), std::string("shard 0"), std::string(129, '0')}) {
    PutCheckpointRequest request = good;
    request.shard_id = shard_id;
    EXPECT_THAT(put(request), HasErrorName(ErrorName::kValidationException))
        << shard_id;
  }
  PutCheckpointRequest no_stream = good;
  no_stream.stream = "";  // As Kinesis answers a request without one.
  EXPECT_THAT(put(no_stream),
              HasErrorName(ErrorName::kInvalidArgumentException));
  for (const std::string& stream :
       {std::string("bad name!"), std::string(129, 's')}) {
    PutCheckpointRequest request = good;
    request.stream = stream;
    EXPECT_THAT(put(request), HasErrorName(ErrorName::kValidationException))
        << stream;
  }
  PutCheckpointRequest application = good;
  application.application_name = "bad name!";
  EXPECT_THAT(put(application), HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().GetCheckpoints({kArn, "bad name!", kKinesis}),
              HasErrorName(ErrorName::kValidationException));
  EXPECT_THAT(broker().DeleteCheckpoints({kArn, "app", "ftp://h"}),
              HasErrorName(ErrorName::kInvalidArgumentException));

  EXPECT_THAT(Checkpoints(kKinesis, kArn, "app"), IsEmpty());
}

TEST_F(RemoteCheckpointTest, Put_OnAFailingDiskIsAClearInternalFailure) {
  std::shared_ptr<testing::FaultFileSystem> fs =
      UseFaultFileSystem(/*min_free_disk_bytes=*/uint64_t{8} << 20);
  Reopen();
  ASSERT_OK(broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "5")));
  fs->Inject(Fault{FaultOp::kSync, FaultError::kIoError, ".log"});
  const absl::Status failed = broker().PutCheckpoint(
      RemoteCheckpoint(kKinesis, kArn, "app", "shardId-000000000000", "6"));
  EXPECT_THAT(failed, AllOf(HasErrorName(ErrorName::kInternalFailure),
                            HasCode(absl::StatusCode::kInternal)));
  EXPECT_THAT(failed.message(), HasSubstr("injected EIO"));
  // Writes stop after a failed sync (fail-stop); reads go on.
  EXPECT_THAT(broker().DeleteCheckpoints({kArn, "app", kKinesis}),
              HasErrorName(ErrorName::kInternalFailure));
  EXPECT_THAT(Checkpoints(kKinesis, kArn, "app"), SizeIs(1));
}

}  // namespace
}  // namespace brook
