#include "common/shard_ref.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace brook {
namespace {

constexpr absl::string_view kShardIdPrefix = "shardId-";
constexpr size_t kShardIdDigits = 12;

}  // namespace

std::string ShardIdOf(uint32_t index) {
  // Every put result carries one: digits by hand rather than through
  // StrFormat, which was a visible cost of PutRecords of small records.
  std::string id(kShardIdPrefix.size() + kShardIdDigits, '0');
  id.replace(0, kShardIdPrefix.size(), kShardIdPrefix.data(),
             kShardIdPrefix.size());
  for (size_t i = id.size(); index != 0; index /= 10) {
    id[--i] = static_cast<char>('0' + index % 10);
  }
  return id;
}

absl::optional<uint32_t> ParseShardId(absl::string_view shard_id) {
  absl::ConsumePrefix(&shard_id, kShardIdPrefix);
  // Leading zeros may pad the index to any width; 20 digits hold it.
  while (shard_id.size() > 1 && shard_id.front() == '0') {
    shard_id.remove_prefix(1);
  }
  if (shard_id.empty() || shard_id.size() > 20) return absl::nullopt;
  uint64_t index = 0;
  for (char c : shard_id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::nullopt;
    }
    index = index * 10 + static_cast<uint64_t>(c - '0');
    if (index > UINT32_MAX) return absl::nullopt;
  }
  return static_cast<uint32_t>(index);
}

std::string CanonicalShardId(absl::string_view shard_id) {
  const absl::optional<uint32_t> index = ParseShardId(shard_id);
  return index.has_value() ? ShardIdOf(*index) : std::string(shard_id);
}

}  // namespace brook
