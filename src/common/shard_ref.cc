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
  if (!absl::ConsumePrefix(&shard_id, kShardIdPrefix) ||
      shard_id.size() != kShardIdDigits) {
    return absl::nullopt;
  }
  uint64_t index = 0;
  for (char c : shard_id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::nullopt;
    }
    index = index * 10 + static_cast<uint64_t>(c - '0');
  }
  if (index > UINT32_MAX) return absl::nullopt;
  return static_cast<uint32_t>(index);
}

}  // namespace brook
