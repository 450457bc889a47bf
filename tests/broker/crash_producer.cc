// Helper for crash_recovery_test: opens the data directory given as argv[1]
// with the default (synced) durability, and puts records to stream "crash"
// from four threads until it is killed. After each acknowledgement it writes
// "<shard_id> <sequence_number> <data>\n" to stdout in one write(2), so the
// parent knows exactly which puts were acknowledged.
//
// With "reshard" as argv[2], a fifth thread reshards the stream meanwhile,
// without pause: it splits the lowest open shard while three are open and
// merges the two lowest otherwise.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "brook/broker.h"

namespace {

// The stream's open shards, by hash key; exits on error.
std::vector<brook::Shard> OpenShards(brook::Broker& broker) {
  brook::ListShardsRequest request;
  request.stream = "crash";
  request.shard_filter.emplace();
  request.shard_filter->type = brook::ShardFilterType::kAtLatest;
  absl::StatusOr<brook::ListShardsResult> result = broker.ListShards(request);
  if (!result.ok()) _exit(1);
  std::sort(result->shards.begin(), result->shards.end(),
            [](const brook::Shard& a, const brook::Shard& b) {
              return a.hash_key_range.starting_hash_key <
                     b.hash_key_range.starting_hash_key;
            });
  return result->shards;
}

std::string Decimal(absl::uint128 value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + value % 10));
    value /= 10;
  } while (value != 0);
  return digits;
}

void ReshardForever(brook::Broker& broker) {
  for (;;) {
    const std::vector<brook::Shard> open = OpenShards(broker);
    absl::Status status;
    if (open.size() == 3) {
      const brook::HashKeyRange& range = open[0].hash_key_range;
      brook::SplitShardRequest split;
      split.stream = "crash";
      split.shard_to_split = open[0].shard_id;
      split.new_starting_hash_key =
          Decimal(range.starting_hash_key +
                  (range.ending_hash_key - range.starting_hash_key) / 2 + 1);
      status = broker.SplitShard(split);
    } else {
      brook::MergeShardsRequest merge;
      merge.stream = "crash";
      merge.shard_to_merge = open[0].shard_id;
      merge.adjacent_shard_to_merge = open[1].shard_id;
      status = broker.MergeShards(merge);
    }
    if (!status.ok()) _exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) return 2;
  const bool reshard = argc == 3 && std::string(argv[2]) == "reshard";
  absl::StatusOr<std::unique_ptr<brook::Broker>> broker =
      brook::Broker::Open(brook::BrokerOptions(), argv[1]);
  if (!broker.ok()) {
    std::fprintf(stderr, "%s\n", broker.status().ToString().c_str());
    return 1;
  }
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        brook::PutRecordRequest request;
        request.stream = "crash";
        request.partition_key = absl::StrCat("key-", i % 16);
        request.data = absl::StrCat("t", t, "-", i);
        absl::StatusOr<brook::PutRecordResult> result =
            (*broker)->PutRecord(request);
        if (!result.ok()) _exit(1);
        const std::string line = absl::StrCat(
            result->shard_id, " ", result->sequence_number.ToString(), " ",
            request.data, "\n");
        if (write(STDOUT_FILENO, line.data(), line.size()) !=
            static_cast<ssize_t>(line.size())) {
          _exit(1);
        }
      }
    });
  }
  if (reshard) producers.emplace_back([&] { ReshardForever(**broker); });
  for (std::thread& producer : producers) producer.join();
  return 0;
}
