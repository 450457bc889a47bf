// -----------------------------------------------------------------------------
// File: brook/checkpoints.h
// -----------------------------------------------------------------------------
//
// Checkpoints: how far an application has processed each shard of a stream.
// Kinesis applications keep them in a DynamoDB table beside the stream (the
// Kinesis Client Library's lease table); Brook keeps them in its own store,
// durable like puts (BrokerOptions::durability), and deletes them with their
// stream. brook::Worker (brook/worker.h) reads and writes them for you.
//
// A local Broker also keeps the checkpoints of a stream that another Broker
// serves (Broker::Connect: Amazon Kinesis has no checkpoint operations), so
// that a Worker can read a remote stream and checkpoint on its own disk.
// Such a *remote* stream is named by `remote_endpoint` (as that Broker's
// Endpoint() gives it) and `stream`, and its checkpoints by the endpoint,
// stream and application: two endpoints' streams of one name, or two
// applications, never share one. The local Broker cannot see the remote
// stream, so it checks only that a checkpoint is well formed (the shard id's
// and sequence number's syntax, the sizes), not that the shard or record
// exists; and they are not deleted with any stream: DeleteCheckpoints()
// removes them (say, after the remote stream was deleted and created again,
// when its shards start over).
//
// Thread safety: plain values.

#ifndef BROOK_CHECKPOINTS_H_
#define BROOK_CHECKPOINTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "brook/sequence_number.h"

namespace brook {

struct Checkpoint {
  std::string shard_id;
  // The last record processed (when !shard_end).
  SequenceNumber sequence_number;
  // For records that aggregate several user records: how many of the last
  // record's user records were processed. 0 otherwise.
  int64_t sub_sequence_number = 0;
  // The shard is closed and every record of it was processed (the KCL's
  // SHARD_END): its children may be processed.
  bool shard_end = false;
};

struct PutCheckpointRequest {
  // Name or ARN; with `remote_endpoint`, the remote stream's, named the
  // same way each time (the Worker uses the ARN).
  std::string stream;
  // 1 to 128 characters of [a-zA-Z0-9_.-].
  std::string application_name;
  // 1 to 128 characters of [a-zA-Z0-9_.-], as Kinesis' ShardId.
  std::string shard_id;
  // A record of the shard (of a remote stream: any sequence number but
  // zero). Ignored with `shard_end`.
  SequenceNumber sequence_number;
  // At least 0.
  int64_t sub_sequence_number = 0;
  // Marks the shard finished; the shard must be closed (not checked for a
  // remote stream).
  bool shard_end = false;
  // Empty for a stream of this Broker; else the endpoint of the Broker that
  // serves the stream: "http://" or "https://" and a host, at most 2,048
  // characters. Only a local Broker keeps remote streams' checkpoints.
  std::string remote_endpoint;
};

// Names one application's checkpoints in one stream, to list or delete.
struct GetCheckpointsRequest {
  std::string stream;  // As in PutCheckpointRequest.
  std::string application_name;
  std::string remote_endpoint;  // As in PutCheckpointRequest.
};
using DeleteCheckpointsRequest = GetCheckpointsRequest;

struct GetCheckpointsResult {
  // One per shard the application checkpointed, in shard-id order.
  std::vector<Checkpoint> checkpoints;
};

}  // namespace brook

#endif  // BROOK_CHECKPOINTS_H_
