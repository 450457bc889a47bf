// The functions of the public value types: the Kinesis spellings of the
// enums, and the validation of options and limits.

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "brook/consumers.h"
#include "brook/limits.h"
#include "brook/options.h"
#include "brook/records.h"
#include "brook/streams.h"
#include "brook/write_state.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "limits/token_bucket.h"

namespace brook {

absl::string_view EncryptionTypeToString(EncryptionType type) {
  switch (type) {
    case EncryptionType::kNone:
      return "NONE";
    case EncryptionType::kKms:
      return "KMS";
  }
  return "";
}

absl::string_view StreamStatusToString(StreamStatus status) {
  switch (status) {
    case StreamStatus::kCreating:
      return "CREATING";
    case StreamStatus::kDeleting:
      return "DELETING";
    case StreamStatus::kActive:
      return "ACTIVE";
    case StreamStatus::kUpdating:
      return "UPDATING";
  }
  return "";
}

absl::string_view StreamModeToString(StreamMode mode) {
  switch (mode) {
    case StreamMode::kProvisioned:
      return "PROVISIONED";
    case StreamMode::kOnDemand:
      return "ON_DEMAND";
  }
  return "";
}

absl::string_view ShardFilterTypeToString(ShardFilterType type) {
  switch (type) {
    case ShardFilterType::kAfterShardId:
      return "AFTER_SHARD_ID";
    case ShardFilterType::kAtTrimHorizon:
      return "AT_TRIM_HORIZON";
    case ShardFilterType::kFromTrimHorizon:
      return "FROM_TRIM_HORIZON";
    case ShardFilterType::kAtLatest:
      return "AT_LATEST";
    case ShardFilterType::kAtTimestamp:
      return "AT_TIMESTAMP";
    case ShardFilterType::kFromTimestamp:
      return "FROM_TIMESTAMP";
  }
  return "";
}

absl::string_view ConsumerStatusToString(ConsumerStatus status) {
  switch (status) {
    case ConsumerStatus::kCreating:
      return "CREATING";
    case ConsumerStatus::kDeleting:
      return "DELETING";
    case ConsumerStatus::kActive:
      return "ACTIVE";
  }
  return "";
}

absl::string_view ShardIteratorTypeToString(ShardIteratorType type) {
  switch (type) {
    case ShardIteratorType::kAtSequenceNumber:
      return "AT_SEQUENCE_NUMBER";
    case ShardIteratorType::kAfterSequenceNumber:
      return "AFTER_SEQUENCE_NUMBER";
    case ShardIteratorType::kTrimHorizon:
      return "TRIM_HORIZON";
    case ShardIteratorType::kLatest:
      return "LATEST";
    case ShardIteratorType::kAtTimestamp:
      return "AT_TIMESTAMP";
  }
  return "";
}

namespace {

absl::Status ValidateOnDemand(const OnDemandOptions& options) {
  if (options.max_streams < 0 || options.initial_shard_count < 1) {
    return InvalidArgument(
        "on_demand.max_streams must be at least 0 and "
        "on_demand.initial_shard_count at least 1");
  }
  if (options.initial_write_bytes_per_second < 1 ||
      options.initial_write_records_per_second < 1 ||
      options.max_write_bytes_per_second <
          options.initial_write_bytes_per_second ||
      options.max_write_records_per_second <
          options.initial_write_records_per_second ||
      options.max_write_bytes_per_second > TokenBucket::kMaxTokens ||
      options.max_write_records_per_second > TokenBucket::kMaxTokens) {
    return InvalidArgument(
        "on_demand write rates must be at least 1, the maximum at least the "
        "initial rate and at most 2^32");
  }
  if (!(options.split_utilization > 0 && options.split_utilization <= 1) ||
      !(options.merge_utilization >= 0 &&
        options.merge_utilization * 2 < options.split_utilization)) {
    return InvalidArgument(
        "on_demand.split_utilization must be in (0, 1] and "
        "on_demand.merge_utilization in [0, split_utilization / 2), so that "
        "a merged shard is not split again at once");
  }
  if (options.scale_up_delay < absl::ZeroDuration() ||
      options.peak_window <= options.scale_up_delay ||
      options.merge_quiet_period < absl::ZeroDuration() ||
      options.check_interval < absl::ZeroDuration()) {
    return InvalidArgument(
        "on_demand durations must not be negative, and peak_window must "
        "exceed scale_up_delay");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status BrokerOptions::Validate() const {
  if (max_shards < 1) {
    return InvalidArgument(
        absl::StrCat("max_shards must be at least 1, got ", max_shards));
  }
  if (max_pending_write_bytes == 0 || max_commit_group_bytes == 0) {
    return InvalidArgument(
        "max_pending_write_bytes and max_commit_group_bytes must be positive");
  }
  if (max_consumers_per_stream < 1 || fan_out_threads < 1) {
    return InvalidArgument(
        "max_consumers_per_stream and fan_out_threads must be at least 1");
  }
  if (subscription_lifetime <= absl::ZeroDuration() ||
      retention_check_interval <= absl::ZeroDuration() ||
      disk_check_interval <= absl::ZeroDuration()) {
    return InvalidArgument(
        "subscription_lifetime, retention_check_interval and "
        "disk_check_interval must be positive");
  }
  BROOK_RETURN_IF_ERROR(ValidateOnDemand(on_demand));
  if (region.empty() || !std::all_of(region.begin(), region.end(), [](char c) {
        return absl::ascii_islower(static_cast<unsigned char>(c)) ||
               absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-';
      })) {
    return InvalidArgument(absl::StrCat(
        "region '", region, "' must be lower-case letters, digits and '-'"));
  }
  if (account_id.size() != 12 ||
      !std::all_of(account_id.begin(), account_id.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return InvalidArgument(
        absl::StrCat("account_id '", account_id, "' must be 12 digits"));
  }
  return absl::OkStatus();
}

absl::string_view WriteStatusToString(WriteStatus status) {
  switch (status) {
    case WriteStatus::kAccepting:
      return "accepting";
    case WriteStatus::kLowSpace:
      return "low_space";
    case WriteStatus::kStoppedNoSpace:
      return "stopped_no_space";
    case WriteStatus::kStopped:
      return "stopped";
  }
  return "";
}

StreamLimits StreamLimits::Unlimited() {
  StreamLimits limits;
  limits.write_bytes_per_second = kUnlimited;
  limits.write_records_per_second = kUnlimited;
  limits.read_bytes_per_second = kUnlimited;
  limits.read_calls_per_second = kUnlimited;
  limits.fan_out_bytes_per_second = kUnlimited;
  limits.shard_iterator_calls_per_second = kUnlimited;
  return limits;
}

absl::Status StreamLimits::Validate() const {
  const std::pair<const char*, int64_t> fields[] = {
      {"write_bytes_per_second", write_bytes_per_second},
      {"write_records_per_second", write_records_per_second},
      {"read_bytes_per_second", read_bytes_per_second},
      {"read_calls_per_second", read_calls_per_second},
      {"fan_out_bytes_per_second", fan_out_bytes_per_second},
      {"shard_iterator_calls_per_second", shard_iterator_calls_per_second},
  };
  for (const auto& [name, value] : fields) {
    if (value != kUnlimited && (value < 1 || value > kMaxFinite)) {
      return InvalidArgument(absl::StrCat(
          "limit ", name, " must be StreamLimits::kUnlimited (0) or between 1 ",
          "and ", kMaxFinite, ", got ", value));
    }
  }
  return absl::OkStatus();
}

}  // namespace brook
