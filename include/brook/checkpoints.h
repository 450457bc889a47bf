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
  std::string stream;  // Name or ARN.
  // 1 to 128 characters of [a-zA-Z0-9_.-].
  std::string application_name;
  std::string shard_id;
  // A record of the shard. Ignored with `shard_end`.
  SequenceNumber sequence_number;
  // At least 0.
  int64_t sub_sequence_number = 0;
  // Marks the shard finished; the shard must be closed.
  bool shard_end = false;
};

struct GetCheckpointsRequest {
  std::string stream;  // Name or ARN.
  std::string application_name;
};

struct GetCheckpointsResult {
  // One per shard the application checkpointed, in shard-id order.
  std::vector<Checkpoint> checkpoints;
};

}  // namespace brook

#endif  // BROOK_CHECKPOINTS_H_
