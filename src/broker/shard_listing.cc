#include "broker/shard_listing.h"

#include <algorithm>

#include "common/coding.h"
#include "common/errors.h"
#include "common/shard_ref.h"

namespace brook {
namespace {

// Whether `shard` took records at some time in [from_ms, to_ms], its own
// life being [start, close] (open shards live on).
bool LivedDuring(const StreamState& stream, const ShardState& shard,
                 int64_t from_ms, int64_t to_ms) {
  return stream.ShardStartMs(shard) <= to_ms &&
         (shard.open() || shard.closed_ms() >= from_ms);
}

bool Selected(const StreamState& stream, const ShardState& shard,
              const ShardFilter& filter, absl::Time now) {
  // Points before the stream existed mean its first shards.
  auto at_or_after_creation = [&](absl::Time time) {
    return std::max(absl::ToUnixMillis(time), stream.creation_ms());
  };
  switch (filter.type) {
    case ShardFilterType::kAfterShardId:
      return ShardIdOf(shard.index()) > filter.shard_id;
    case ShardFilterType::kFromTrimHorizon:
      return true;
    case ShardFilterType::kAtLatest:
      return shard.open();
    case ShardFilterType::kAtTrimHorizon: {
      const int64_t horizon =
          at_or_after_creation(now - absl::Hours(stream.retention_hours()));
      return LivedDuring(stream, shard, horizon, horizon);
    }
    case ShardFilterType::kAtTimestamp: {
      const int64_t at = at_or_after_creation(*filter.timestamp);
      return LivedDuring(stream, shard, at, at);
    }
    case ShardFilterType::kFromTimestamp:
      return LivedDuring(stream, shard, absl::ToUnixMillis(*filter.timestamp),
                         INT64_MAX);
  }
  return false;
}

}  // namespace

Shard DescribeShard(const ShardState& state) {
  Shard shard;
  shard.shard_id = ShardIdOf(state.index());
  if (state.parent_index()) {
    shard.parent_shard_id = ShardIdOf(*state.parent_index());
  }
  if (state.adjacent_parent_index()) {
    shard.adjacent_parent_shard_id = ShardIdOf(*state.adjacent_parent_index());
  }
  shard.hash_key_range = state.hash_key_range();
  shard.sequence_number_range.starting_sequence_number =
      MakeSequenceNumber(state.starting_counter(), state.ref());
  if (const absl::optional<uint64_t> ending = state.ending_counter()) {
    shard.sequence_number_range.ending_sequence_number =
        MakeSequenceNumber(*ending, state.ref());
  }
  return shard;
}

std::vector<const ShardState*> SelectShards(const StreamState& stream,
                                            const ShardFilter& filter,
                                            absl::Time now) {
  std::vector<const ShardState*> shards;
  const int count = stream.shard_count();
  for (int i = 0; i < count; ++i) {
    const ShardState& shard = *stream.shard(i);
    if (!stream.ShardExpired(shard, now) &&
        Selected(stream, shard, filter, now)) {
      shards.push_back(&shard);
    }
  }
  return shards;
}

std::string EncodeListShardsPosition(const ListShardsPosition& position) {
  std::string payload;
  PutFixed32BE(&payload, position.stream_id);
  payload.push_back(static_cast<char>(position.filter.type));
  payload.push_back(position.filter.timestamp.has_value() ? 1 : 0);
  PutFixed64BE(&payload,
               static_cast<uint64_t>(absl::ToUnixMillis(
                   position.filter.timestamp.value_or(absl::UnixEpoch()))));
  payload += position.last_shard_id;
  return payload;
}

absl::StatusOr<ListShardsPosition> DecodeListShardsPosition(
    absl::string_view payload) {
  Decoder in(payload);
  ListShardsPosition position;
  uint8_t type = 0;
  uint8_t has_timestamp = 0;
  uint64_t timestamp_ms = 0;
  auto read_byte = [&in](uint8_t* value) {
    absl::string_view byte;
    if (!in.ReadBytes(1, &byte)) return false;
    *value = static_cast<uint8_t>(byte[0]);
    return true;
  };
  if (!in.ReadFixed32BE(&position.stream_id) || !read_byte(&type) ||
      !read_byte(&has_timestamp) || !in.ReadFixed64BE(&timestamp_ms) ||
      type > static_cast<uint8_t>(ShardFilterType::kFromTimestamp) ||
      has_timestamp > 1) {
    return InvalidArgument("invalid next token");
  }
  position.filter.type = static_cast<ShardFilterType>(type);
  if (has_timestamp == 1) {
    position.filter.timestamp =
        absl::FromUnixMillis(static_cast<int64_t>(timestamp_ms));
  }
  position.last_shard_id = std::string(in.remaining());
  return position;
}

}  // namespace brook
