// Consistency checks of the metadata a data directory stores, for offline
// verification (brook verify): each check takes decoded values
// (storage/meta_values.h) and returns the problems it finds, one sentence
// each, none when the values are consistent.
//
// What holds in a consistent directory:
//   - a stream's shards are numbered 0, 1, 2, ... in order;
//   - a shard's parents are older shards, closed, and every child's
//     counters start above its parents' last ones;
//   - a closed shard's last counter is not below its first;
//   - the open shards own every hash key exactly once, each closed shard's
//     keys went to its children, and a child owns only its parents' keys;
//   - a checkpoint names a shard of its stream, at a counter of that shard
//     (or at its end, for a closed shard read to its end).
//
// Thread safety: pure functions.

#ifndef BROOK_STORAGE_META_CHECK_H_
#define BROOK_STORAGE_META_CHECK_H_

#include <string>
#include <vector>

#include "storage/meta_values.h"

namespace brook {

// The shard numbering, lineage, counters and hash key ranges of `meta`.
std::vector<std::string> CheckStreamMeta(const StreamMeta& meta);

// A checkpoint of `application` on shard `shard_index` of `meta`.
std::vector<std::string> CheckCheckpoint(const StreamMeta& meta,
                                         const std::string& application,
                                         uint32_t shard_index,
                                         const StoredCheckpoint& checkpoint);

}  // namespace brook

#endif  // BROOK_STORAGE_META_CHECK_H_
