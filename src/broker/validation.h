// The Kinesis input rules, each in one place, each failing with
// InvalidArgumentException and a message that names the argument.

#ifndef BROOK_BROKER_VALIDATION_H_
#define BROOK_BROKER_VALIDATION_H_

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/streams.h"

namespace brook {

// The largest PutRecords request, counting data and partition keys.
inline constexpr size_t kMaxPutRecordsBytes = size_t{10} << 20;
inline constexpr size_t kMaxPutRecordsEntries = 500;
// The most bytes one GetRecords call returns.
inline constexpr size_t kMaxGetRecordsBytes = size_t{10} << 20;
inline constexpr int kMaxGetRecordsLimit = 10000;
inline constexpr int kMinRecordSizeKib = 1024;
inline constexpr int kMaxRecordSizeKib = 10240;
inline constexpr int kMinRetentionHours = 24;
inline constexpr int kMaxRetentionHours = 8760;

// 1 to 128 characters of [a-zA-Z0-9_.-].
absl::Status ValidateStreamName(absl::string_view name);

// 1 to 128 characters of [a-zA-Z0-9_.-].
absl::Status ValidateConsumerName(absl::string_view name);

// 1 to 128 characters of [a-zA-Z0-9_.-].
absl::Status ValidateApplicationName(absl::string_view name);

// A stream reference: a name as above, or an ARN.
absl::Status ValidateStreamReference(absl::string_view name_or_arn);

absl::Status ValidateCreateStream(const CreateStreamRequest& request);

// 1 to 256 Unicode characters of valid UTF-8.
absl::Status ValidatePartitionKey(absl::string_view partition_key);

// Data plus partition key within the stream's maximum record size.
absl::Status ValidateRecordSize(absl::string_view partition_key,
                                absl::string_view data,
                                int max_record_size_kib);

// Empty gives nullopt; otherwise a decimal number from 0 to 2^128 - 1.
absl::StatusOr<absl::optional<absl::uint128>> ParseExplicitHashKey(
    absl::string_view explicit_hash_key);

// `value` within [min, max], or an error naming `field`.
absl::Status ValidateRange(absl::string_view field, int64_t value, int64_t min,
                           int64_t max);

// Kinesis' shard id pattern: 1 to 128 characters of [a-zA-Z0-9_.-].
absl::Status ValidateShardIdPattern(absl::string_view shard_id);

// Kinesis' tag rules: a key of 1 to 128 characters not starting with
// "aws:", a value of 0 to 256.
inline constexpr int kMaxTagsPerStream = 50;
absl::Status ValidateTag(const Tag& tag);

// A shard id where the filter's type needs one, a timestamp where it needs
// one.
absl::Status ValidateShardFilter(const ShardFilter& filter);

// A decimal hash key from 0 to 2^128 - 1, naming `field` when it is not.
absl::StatusOr<absl::uint128> ParseHashKey(absl::string_view field,
                                           absl::string_view hash_key);

}  // namespace brook

#endif  // BROOK_BROKER_VALIDATION_H_
