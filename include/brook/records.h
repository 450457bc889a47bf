// -----------------------------------------------------------------------------
// File: brook/records.h
// -----------------------------------------------------------------------------
//
// Requests and results of the data-plane operations: putting records and
// reading them with shard iterators, shaped like the Kinesis API.
//
// A stream is addressed by `stream`, which holds either its name or its ARN.
// Record data is raw bytes (no base64); sizes count raw bytes.
//
// Thread safety: plain values.

#ifndef BROOK_RECORDS_H_
#define BROOK_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "brook/sequence_number.h"
#include "brook/streams.h"

namespace brook {

struct PutRecordRequest {
  std::string stream;  // Name or ARN.
  // 1 to 256 Unicode characters (UTF-8). Its MD5 picks the shard unless
  // `explicit_hash_key` is set.
  std::string partition_key;
  // Data plus partition key bytes may not exceed the stream's maximum record
  // size.
  std::string data;
  // Empty, or a decimal hash key from 0 to 2^128-1 that picks the shard.
  std::string explicit_hash_key;
  // When set, the record's sequence number is greater than this one (which
  // must be a number this Broker has handed out).
  absl::optional<SequenceNumber> sequence_number_for_ordering;
};

struct PutRecordResult {
  std::string shard_id;
  SequenceNumber sequence_number;
  // kKms if the record was stored encrypted (see brook/encryption.h).
  EncryptionType encryption_type = EncryptionType::kNone;
};

struct PutRecordsRequestEntry {
  std::string partition_key;
  std::string data;
  std::string explicit_hash_key;
};

struct PutRecordsRequest {
  std::string stream;  // Name or ARN.
  // 1 to 500 records of at most 10 MiB in all, counting data and partition
  // keys.
  std::vector<PutRecordsRequestEntry> records;
};

// A PutRecords record read where it lies, for a caller that holds its bytes
// already (brookd holds them in the request it parsed): the Broker copies
// them only into the write batch. The views must stay valid as long as
// Broker::PutRecordsInPlace() says.
struct PutRecordsEntryView {
  absl::string_view partition_key;
  absl::string_view data;
  absl::string_view explicit_hash_key;  // Empty for none.
};

// A PutRecordsRequest by reference, with the same rules.
struct PutRecordsRequestView {
  absl::string_view stream;  // Name or ARN.
  absl::Span<const PutRecordsEntryView> records;
};

struct PutRecordsResultEntry {
  // OK, or why this record failed; ErrorNameOf() gives its Kinesis
  // ErrorCode. A failed record was not written.
  absl::Status status;
  std::string shard_id;            // Set when `status` is OK.
  SequenceNumber sequence_number;  // Set when `status` is OK.
};

struct PutRecordsResult {
  int failed_record_count = 0;
  // kKms if the records written were stored encrypted: all of one request
  // are stored alike.
  EncryptionType encryption_type = EncryptionType::kNone;
  // One entry per request record, in request order.
  std::vector<PutRecordsResultEntry> records;
};

enum class ShardIteratorType {
  kAtSequenceNumber,
  kAfterSequenceNumber,
  kTrimHorizon,
  kLatest,
  kAtTimestamp,
};

// "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST" or
// "AT_TIMESTAMP".
absl::string_view ShardIteratorTypeToString(ShardIteratorType type);

struct GetShardIteratorRequest {
  std::string stream;  // Name or ARN.
  std::string shard_id;
  ShardIteratorType shard_iterator_type = ShardIteratorType::kTrimHorizon;
  // Required by kAtSequenceNumber and kAfterSequenceNumber; must belong to
  // the shard.
  absl::optional<SequenceNumber> starting_sequence_number;
  // Required by kAtTimestamp: the iterator starts at the first record that
  // arrived at or after it (millisecond precision).
  absl::optional<absl::Time> timestamp;
};

struct GetShardIteratorResult {
  // Opaque; valid for 5 minutes.
  std::string shard_iterator;
};

struct Record {
  SequenceNumber sequence_number;
  // When the commit that appended the record happened, to the millisecond.
  // Never decreases within a shard.
  absl::Time approximate_arrival_timestamp;
  std::string data;
  std::string partition_key;
  // kKms if the record is stored encrypted (it is returned decrypted).
  EncryptionType encryption_type = EncryptionType::kNone;
  // The explicit hash key the record was put with (decimal, without leading
  // zeros), or empty when its partition key picked the shard. Brook's own:
  // Kinesis' GetRecords and SubscribeToShard do not return it, so brookd
  // does not send it and a Broker from Connect() leaves it empty. A local
  // Broker keeps it so that brook::StreamMirror can route each copy as the
  // original was routed; the KCL's record type carries the same field.
  std::string explicit_hash_key;
};

struct GetRecordsRequest {
  std::string shard_iterator;
  // The most records to return: 1 to 10,000. At most 10 MiB are returned.
  int limit = 10000;
};

struct GetRecordsResult {
  std::vector<Record> records;  // In sequence-number order.
  // Where the next call continues. Empty only when the shard is closed and
  // read to its end.
  std::string next_shard_iterator;
  // How far behind the newest record of the shard this result is; 0 when
  // it reaches the newest record.
  int64_t millis_behind_latest = 0;
  // Set only with an empty `next_shard_iterator`: the shards to read next.
  // A child with two parents is read once both are read to their ends.
  std::vector<ChildShard> child_shards;
};

}  // namespace brook

#endif  // BROOK_RECORDS_H_
