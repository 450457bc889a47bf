// brookd's operations that Kinesis does not have, under the X-Amz-Target
// prefix "Brook_20261201.", so that a remote Broker (Broker::Connect) that
// reaches brookd can do everything a local one does. Bodies are JSON, in
// the Kinesis API's style:
//
//   CreateStream          Kinesis' members, plus StreamLimits (below)
//   DescribeStreamLimits  StreamName|StreamARN -> {"StreamLimits": limits}
//   UpdateStreamLimits    StreamName|StreamARN, StreamLimits -> {}
//   GetShardMetrics       StreamName|StreamARN -> {"Shards": [{ShardId,
//                         IncomingBytes, IncomingRecords, OutgoingBytes,
//                         OutgoingRecords, WriteProvisionedThroughput-
//                         Exceeded, ReadProvisionedThroughputExceeded,
//                         IteratorAgeMilliseconds}]}
//   GetBrokerMetrics      {} -> {QueuedWriteBytes, TailCacheBytes,
//                         WriteStallsDelayed, WriteStallsStopped,
//                         WriteStalled, PendingCompactionBytes,
//                         OpenSubscriptions, Streams: [{StreamName,
//                         StoredBytes}], ConsumerLag: [{StreamName,
//                         ConsumerName, ShardId, MillisBehindLatest}]}
//   PutCheckpoint         StreamName|StreamARN, ApplicationName, ShardId,
//                         SequenceNumber, SubSequenceNumber, ShardEnd,
//                         RemoteEndpoint -> {}
//   GetCheckpoints        StreamName|StreamARN, ApplicationName,
//                         RemoteEndpoint -> {"Checkpoints": [{ShardId,
//                         SequenceNumber, SubSequenceNumber, ShardEnd}]}
//   DeleteCheckpoints     StreamName|StreamARN, ApplicationName,
//                         RemoteEndpoint -> {}
//
// where limits are {WriteBytesPerSecond, WriteRecordsPerSecond,
// ReadBytesPerSecond, ReadCallsPerSecond, FanOutBytesPerSecond,
// ShardIteratorCallsPerSecond}, each 0 for unlimited (brook/limits.h). Errors
// are Kinesis errors, as for KinesisApi.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: `broker` must outlive the BrookApi.

#ifndef BROOK_SERVER_BROOK_API_H_
#define BROOK_SERVER_BROOK_API_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/broker.h"

namespace brook {

class BrookApi {
 public:
  explicit BrookApi(Broker* broker) : broker_(broker) {}

  // BrookApi::Call()
  //
  // Runs `operation` with `body` and returns the response body. Fails with
  // UnknownOperationException, SerializationException (not a JSON object,
  // a member of the wrong type), ValidationException (a required member
  // missing) or whatever the Broker call fails with.
  absl::StatusOr<std::string> Call(absl::string_view operation,
                                   absl::string_view body) const;

  // Whether `operation` is one of the operations above.
  static bool Serves(absl::string_view operation);

 private:
  Broker* const broker_;
};

}  // namespace brook

#endif  // BROOK_SERVER_BROOK_API_H_
