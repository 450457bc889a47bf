#include "storage/meta_check.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/shard_ref.h"
#include "common/uint128.h"

namespace brook {
namespace {

constexpr absl::uint128 kMaxHashKey = absl::Uint128Max();

std::string Where(const StreamMeta& meta, uint32_t index) {
  return absl::StrCat("stream '", meta.name, "' ", ShardIdOf(index));
}

// Whether `ranges` together own every key of `target`. Sorts `ranges`.
bool Covers(std::vector<HashKeyRange> ranges, const HashKeyRange& target) {
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
    return a.starting_hash_key < b.starting_hash_key;
  });
  absl::uint128 next = target.starting_hash_key;  // First key not yet owned.
  for (const HashKeyRange& range : ranges) {
    if (range.starting_hash_key > next) return false;
    if (range.ending_hash_key >= target.ending_hash_key) return true;
    next = std::max(next, range.ending_hash_key + 1);
  }
  return false;
}

// Whether `inner` lies within the union of `outer`.
bool Within(const HashKeyRange& inner, std::vector<HashKeyRange> outer) {
  return Covers(std::move(outer), inner);
}

// The open shards own each hash key exactly once.
void CheckOpenRanges(const StreamMeta& meta, std::vector<std::string>* out) {
  std::vector<const ShardMeta*> open;
  for (const ShardMeta& shard : meta.shards) {
    if (shard.open()) open.push_back(&shard);
  }
  if (open.empty()) {
    out->push_back(absl::StrCat("stream '", meta.name, "' has no open shard"));
    return;
  }
  std::sort(open.begin(), open.end(), [](const auto* a, const auto* b) {
    return a->hash_key_range.starting_hash_key <
           b->hash_key_range.starting_hash_key;
  });
  absl::uint128 next = 0;
  for (const ShardMeta* shard : open) {
    const HashKeyRange& range = shard->hash_key_range;
    if (range.starting_hash_key != next) {
      out->push_back(absl::StrCat(
          Where(meta, shard->index), " starts at hash key ",
          Uint128ToDecimal(range.starting_hash_key), " where ",
          Uint128ToDecimal(next), " was expected: the open shards ",
          range.starting_hash_key > next ? "leave keys unowned" : "overlap"));
    }
    if (range.ending_hash_key == kMaxHashKey) return;
    next = range.ending_hash_key + 1;
  }
  out->push_back(absl::StrCat("the open shards of stream '", meta.name,
                              "' do not reach the last hash key"));
}

// A shard's parents, each checked to exist, be older and be closed before
// the shard's first counter.
void CheckParents(const StreamMeta& meta, const ShardMeta& shard,
                  std::vector<std::string>* out) {
  if (shard.adjacent_parent_index.has_value() &&
      !shard.parent_index.has_value()) {
    out->push_back(absl::StrCat(Where(meta, shard.index),
                                " has an adjacent parent but no parent"));
  }
  std::vector<HashKeyRange> parent_ranges;
  for (const absl::optional<uint32_t>& parent :
       {shard.parent_index, shard.adjacent_parent_index}) {
    if (!parent.has_value()) continue;
    if (*parent >= shard.index) {
      out->push_back(absl::StrCat(Where(meta, shard.index), "'s parent ",
                                  ShardIdOf(*parent), " is not older"));
      continue;
    }
    const ShardMeta& p = meta.shards[*parent];
    parent_ranges.push_back(p.hash_key_range);
    if (p.open()) {
      out->push_back(absl::StrCat(Where(meta, shard.index), "'s parent ",
                                  ShardIdOf(*parent), " is open"));
    } else if (shard.starting_counter <= *p.ending_counter) {
      out->push_back(absl::StrCat(Where(meta, shard.index),
                                  " starts at counter ", shard.starting_counter,
                                  ", not above its parent ", ShardIdOf(*parent),
                                  "'s last counter ", *p.ending_counter));
    }
  }
  if (!parent_ranges.empty() &&
      !Within(shard.hash_key_range, std::move(parent_ranges))) {
    out->push_back(absl::StrCat(Where(meta, shard.index),
                                " owns hash keys its parents did not"));
  }
}

// A closed shard's keys went to its children.
void CheckChildren(const StreamMeta& meta, const ShardMeta& shard,
                   std::vector<std::string>* out) {
  std::vector<HashKeyRange> child_ranges;
  for (const ShardMeta& child : meta.shards) {
    if (child.parent_index == shard.index ||
        child.adjacent_parent_index == shard.index) {
      child_ranges.push_back(child.hash_key_range);
    }
  }
  if (!Covers(std::move(child_ranges), shard.hash_key_range)) {
    out->push_back(absl::StrCat(Where(meta, shard.index),
                                " is closed, but its children do not own "
                                "all of its hash keys"));
  }
}

}  // namespace

std::vector<std::string> CheckStreamMeta(const StreamMeta& meta) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < meta.shards.size(); ++i) {
    const ShardMeta& shard = meta.shards[i];
    if (shard.index != i) {
      problems.push_back(absl::StrCat("stream '", meta.name, "' holds ",
                                      ShardIdOf(shard.index), " in place ", i));
      return problems;  // Nothing below can be trusted.
    }
    const HashKeyRange& range = shard.hash_key_range;
    if (range.starting_hash_key > range.ending_hash_key) {
      problems.push_back(absl::StrCat(Where(meta, shard.index),
                                      " has an empty hash key range"));
    }
    if (!shard.open() && *shard.ending_counter < shard.starting_counter) {
      problems.push_back(absl::StrCat(
          Where(meta, shard.index), " ends at counter ", *shard.ending_counter,
          ", below its first counter ", shard.starting_counter));
    }
    CheckParents(meta, shard, &problems);
    if (!shard.open()) CheckChildren(meta, shard, &problems);
  }
  CheckOpenRanges(meta, &problems);
  return problems;
}

std::vector<std::string> CheckCheckpoint(const StreamMeta& meta,
                                         const std::string& application,
                                         uint32_t shard_index,
                                         const StoredCheckpoint& checkpoint) {
  const std::string where =
      absl::StrCat("application '", application, "''s checkpoint of stream '",
                   meta.name, "' ", ShardIdOf(shard_index));
  if (shard_index >= meta.shards.size()) {
    return {absl::StrCat(where, " names a shard the stream does not have")};
  }
  const ShardMeta& shard = meta.shards[shard_index];
  if (checkpoint.shard_end) {
    if (shard.open() || checkpoint.counter != *shard.ending_counter) {
      return {absl::StrCat(where, " is at the end of a shard that ",
                           shard.open() ? "is open" : "ends elsewhere")};
    }
    return {};
  }
  if (checkpoint.counter < shard.starting_counter ||
      (!shard.open() && checkpoint.counter > *shard.ending_counter)) {
    return {absl::StrCat(where, " is at counter ", checkpoint.counter,
                         ", outside the shard")};
  }
  if (checkpoint.sub_sequence < 0) {
    return {absl::StrCat(where, " has a negative sub-sequence number")};
  }
  return {};
}

}  // namespace brook
