#include "broker/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/uint128.h"

namespace brook {
namespace {

bool IsNameCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         c == '.' || c == '-';
}

absl::Status ValidateName(absl::string_view what, absl::string_view name) {
  if (name.empty() || name.size() > 128) {
    return InvalidArgument(absl::StrCat(what, " must be 1 to 128 characters, ",
                                        "got ", name.size()));
  }
  for (char c : name) {
    if (!IsNameCharacter(c)) {
      return InvalidArgument(
          absl::StrCat(what, " '", name, "' may only contain [a-zA-Z0-9_.-]"));
    }
  }
  return absl::OkStatus();
}

// Counts the code points of `text`, or returns -1 if it is not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF included).
int64_t CountUtf8CodePoints(absl::string_view text) {
  int64_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return -1;
    }
    if (i + length > text.size()) return -1;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return -1;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    constexpr uint32_t kSmallestOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestOfLength[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return -1;
    }
    i += length;
    ++count;
  }
  return count;
}

}  // namespace

absl::Status ValidateStreamName(absl::string_view name) {
  return ValidateName("stream name", name);
}

absl::Status ValidateConsumerName(absl::string_view name) {
  return ValidateName("consumer name", name);
}

absl::Status ValidateApplicationName(absl::string_view name) {
  return ValidateName("application name", name);
}

absl::Status ValidateStreamReference(absl::string_view name_or_arn) {
  if (absl::StartsWith(name_or_arn, "arn:")) {
    if (name_or_arn.size() > 2048) {
      return InvalidArgument("stream ARN is longer than 2048 characters");
    }
    return absl::OkStatus();
  }
  return ValidateStreamName(name_or_arn);
}

absl::Status ValidateCreateStream(const CreateStreamRequest& request) {
  if (absl::Status status = ValidateStreamName(request.stream_name);
      !status.ok()) {
    return status;
  }
  if (request.shard_count < 1) {
    return InvalidArgument(absl::StrCat("shard count must be at least 1, got ",
                                        request.shard_count));
  }
  if (absl::Status status = request.options.limits.Validate(); !status.ok()) {
    return status;
  }
  return ValidateRange("max record size (KiB)",
                       request.options.max_record_size_kib, kMinRecordSizeKib,
                       kMaxRecordSizeKib);
}

absl::Status ValidatePartitionKey(absl::string_view partition_key) {
  const int64_t characters = CountUtf8CodePoints(partition_key);
  if (characters < 0) {
    return InvalidArgument("partition key is not valid UTF-8");
  }
  if (characters < 1 || characters > 256) {
    return InvalidArgument(absl::StrCat(
        "partition key must be 1 to 256 characters, got ", characters));
  }
  return absl::OkStatus();
}

absl::Status ValidateRecordSize(absl::string_view partition_key,
                                absl::string_view data,
                                int max_record_size_kib) {
  const size_t size = partition_key.size() + data.size();
  const size_t max = static_cast<size_t>(max_record_size_kib) * 1024;
  if (size > max) {
    return InvalidArgument(absl::StrCat(
        "record of ", size, " bytes (data plus partition key) exceeds the ",
        "stream's maximum record size of ", max, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::uint128> ParseHashKey(absl::string_view field,
                                           absl::string_view hash_key) {
  absl::optional<absl::uint128> value = ParseDecimalUint128(hash_key);
  if (!value.has_value()) {
    return InvalidArgument(
        absl::StrCat(field, " '", hash_key.substr(0, 64),
                     "' must be a decimal number in the range [0, 2^128-1]"));
  }
  return *value;
}

absl::StatusOr<absl::optional<absl::uint128>> ParseExplicitHashKey(
    absl::string_view explicit_hash_key) {
  if (explicit_hash_key.empty()) return absl::nullopt;
  return ParseHashKey("explicit hash key", explicit_hash_key);
}

absl::Status ValidateRange(absl::string_view field, int64_t value, int64_t min,
                           int64_t max) {
  if (value < min || value > max) {
    return InvalidArgument(absl::StrCat(field, " must be between ", min,
                                        " and ", max, ", got ", value));
  }
  return absl::OkStatus();
}

absl::Status ValidateShardIdPattern(absl::string_view shard_id) {
  return ValidateName("shard id", shard_id);
}

absl::Status ValidateTag(const Tag& tag) {
  const int64_t key_characters = CountUtf8CodePoints(tag.key);
  const int64_t value_characters = CountUtf8CodePoints(tag.value);
  if (key_characters < 1 || key_characters > 128) {
    return InvalidArgument("a tag key must be 1 to 128 characters of UTF-8");
  }
  if (absl::StartsWith(tag.key, "aws:")) {
    return InvalidArgument(absl::StrCat("tag key '", tag.key,
                                        "' uses the reserved prefix 'aws:'"));
  }
  if (value_characters < 0 || value_characters > 256) {
    return InvalidArgument("a tag value must be 0 to 256 characters of UTF-8");
  }
  return absl::OkStatus();
}

absl::Status ValidateShardFilter(const ShardFilter& filter) {
  const absl::string_view type = ShardFilterTypeToString(filter.type);
  switch (filter.type) {
    case ShardFilterType::kAfterShardId:
      if (filter.shard_id.empty()) {
        return InvalidArgument(
            absl::StrCat("shard filter ", type, " requires a shard id"));
      }
      return ValidateShardIdPattern(filter.shard_id);
    case ShardFilterType::kAtTimestamp:
    case ShardFilterType::kFromTimestamp:
      if (!filter.timestamp.has_value()) {
        return InvalidArgument(
            absl::StrCat("shard filter ", type, " requires a timestamp"));
      }
      break;
    case ShardFilterType::kAtTrimHorizon:
    case ShardFilterType::kFromTrimHorizon:
    case ShardFilterType::kAtLatest:
      break;
  }
  if (filter.type != ShardFilterType::kAfterShardId &&
      !filter.shard_id.empty()) {
    return InvalidArgument(
        absl::StrCat("shard filter ", type, " takes no shard id"));
  }
  return absl::OkStatus();
}

}  // namespace brook
