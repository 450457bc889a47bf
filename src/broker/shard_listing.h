// Which shards ListShards and DescribeStream show, and how each is shown:
// Kinesis' shard filters over a stream's lineage.

#ifndef BROOK_BROKER_SHARD_LISTING_H_
#define BROOK_BROKER_SHARD_LISTING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/streams.h"
#include "catalog/stream_state.h"

namespace brook {

// The public description of `shard`: lineage, ranges and sequence numbers.
Shard DescribeShard(const ShardState& shard);

// The shards of `stream` that `filter` selects at `now`, in shard-id order.
// Expired shards (see StreamState::ShardExpired()) are never selected.
// REQUIRES: `filter` carries what its type needs (see ValidateShardFilter).
std::vector<const ShardState*> SelectShards(const StreamState& stream,
                                            const ShardFilter& filter,
                                            absl::Time now);

// Where a ListShards page ended, carried in its next token.
struct ListShardsPosition {
  uint32_t stream_id = 0;
  ShardFilter filter;
  std::string last_shard_id;
};

std::string EncodeListShardsPosition(const ListShardsPosition& position);
// Fails with InvalidArgumentException if `payload` is not one.
absl::StatusOr<ListShardsPosition> DecodeListShardsPosition(
    absl::string_view payload);

}  // namespace brook

#endif  // BROOK_BROKER_SHARD_LISTING_H_
