// What every mirror test checks at the end: each record of the local
// stream is in the remote stream, and each partition key's records came in
// their local order (a repeat after a crash or a lost answer is allowed; a
// record of a key first seen before an earlier one of its key is not).

#ifndef BROOK_TESTS_MIRROR_MIRROR_CHECK_H_
#define BROOK_TESTS_MIRROR_MIRROR_CHECK_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "gtest/gtest.h"

namespace brook::testing {

// Every record of every shard the stream keeps, shard by shard.
inline std::vector<Record> ReadStream(Broker& broker,
                                      const std::string& stream) {
  std::vector<Record> records;
  ListShardsRequest list;
  list.stream = stream;
  absl::StatusOr<ListShardsResult> shards = broker.ListShards(list);
  EXPECT_TRUE(shards.ok()) << shards.status();
  if (!shards.ok()) return records;
  for (const Shard& shard : shards->shards) {
    GetShardIteratorRequest get;
    get.stream = stream;
    get.shard_id = shard.shard_id;
    get.shard_iterator_type = ShardIteratorType::kTrimHorizon;
    absl::StatusOr<GetShardIteratorResult> iterator =
        broker.GetShardIterator(get);
    EXPECT_TRUE(iterator.ok()) << iterator.status();
    if (!iterator.ok()) continue;
    std::string next = iterator->shard_iterator;
    while (!next.empty()) {
      absl::StatusOr<GetRecordsResult> read = broker.GetRecords({next, 10000});
      if (ErrorNameOf(read.status()) ==
          ErrorName::kProvisionedThroughputExceededException) {
        absl::SleepFor(absl::Milliseconds(250));  // The read limits.
        continue;
      }
      EXPECT_TRUE(read.ok()) << read.status();
      if (!read.ok() || read->records.empty()) break;
      records.insert(records.end(), read->records.begin(), read->records.end());
      next = read->next_shard_iterator;
    }
  }
  return records;
}

// Each key's record names ("key/n/", the data up to any padding) in order,
// with repeats of names already seen dropped.
inline std::map<std::string, std::vector<std::string>> FirstCopiesByKey(
    const std::vector<Record>& records) {
  std::map<std::string, std::vector<std::string>> by_key;
  std::map<std::string, int> seen;
  for (const Record& record : records) {
    const std::string name = record.data.substr(
        0, record.data.find('/', record.data.find('/') + 1) + 1);
    if (seen[name]++ > 0) continue;
    by_key[record.partition_key].push_back(name);
  }
  return by_key;
}

// The mirror's promise, checked on the local and remote streams.
inline void ExpectMirrored(Broker& local, Broker& remote,
                           const std::string& stream) {
  const std::vector<Record> local_records = ReadStream(local, stream);
  const std::vector<Record> remote_records = ReadStream(remote, stream);
  const auto expected = FirstCopiesByKey(local_records);
  const auto actual = FirstCopiesByKey(remote_records);
  EXPECT_EQ(actual.size(), expected.size());
  for (const auto& [key, data] : expected) {
    auto it = actual.find(key);
    ASSERT_NE(it, actual.end()) << "key " << key << " never arrived";
    EXPECT_EQ(it->second, data) << "key " << key;
  }
  EXPECT_GE(remote_records.size(), local_records.size());
}

}  // namespace brook::testing

#endif  // BROOK_TESTS_MIRROR_MIRROR_CHECK_H_
