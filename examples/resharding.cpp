// Resharding: a stream grows from 2 to 4 shards and back to 3 while a
// producer writes, and a consumer then reads every partition key in put
// order by following the shard lineage with brook::ShardLineage: a child
// shard is read only after its parents are read to their ends.
//
//   resharding [data-dir]      (default: ./brook-data)

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/shard_lineage.h"

namespace {

constexpr char kStream[] = "resharding-demo";
constexpr int kUsers = 4;

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// Puts one click per user; `round` numbers them.
absl::Status PutClicks(brook::Broker& broker, int round) {
  brook::PutRecordsRequest put;
  put.stream = kStream;
  for (int user = 0; user < kUsers; ++user) {
    put.records.push_back(
        {absl::StrCat("user-", user), absl::StrCat("click ", round), ""});
  }
  return brook::PutRecordsWithRetry(broker, put).status();
}

absl::Status Scale(brook::Broker& broker, int shards) {
  brook::UpdateShardCountRequest update;
  update.stream = kStream;
  update.target_shard_count = shards;
  absl::StatusOr<brook::UpdateShardCountResult> result =
      broker.UpdateShardCount(update);
  if (!result.ok()) return result.status();
  std::cout << "scaled " << result->current_shard_count << " -> "
            << result->target_shard_count << " shards\n";
  return absl::OkStatus();
}

// Reads `shard_id` from its oldest record to the newest; returns true with
// the child shards if the shard is closed and was read to its end.
absl::StatusOr<bool> ReadShard(
    brook::Broker& broker, const std::string& shard_id,
    std::map<std::string, std::vector<std::string>>* clicks,
    std::vector<brook::ChildShard>* children) {
  brook::GetShardIteratorRequest from_start;
  from_start.stream = kStream;
  from_start.shard_id = shard_id;
  from_start.shard_iterator_type = brook::ShardIteratorType::kTrimHorizon;
  absl::StatusOr<brook::GetShardIteratorResult> iterator =
      broker.GetShardIterator(from_start);
  if (!iterator.ok()) return iterator.status();
  brook::GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  for (;;) {
    absl::StatusOr<brook::GetRecordsResult> result = broker.GetRecords(get);
    if (!result.ok()) return result.status();
    for (const brook::Record& record : result->records) {
      (*clicks)[record.partition_key].push_back(record.data);
    }
    if (result->next_shard_iterator.empty()) {
      *children = result->child_shards;
      return true;  // Closed, and read to its end.
    }
    if (result->records.empty()) return false;  // Open, and caught up.
    get.shard_iterator = result->next_shard_iterator;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  absl::StatusOr<std::unique_ptr<brook::Broker>> opened =
      brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!opened.ok()) return Fail(opened.status());
  brook::Broker& broker = **opened;

  // Start from a fresh stream each run, so that the output is the same.
  brook::DeleteStreamRequest old;
  old.stream = kStream;
  if (absl::Status deleted = broker.DeleteStream(old);
      !deleted.ok() && brook::ErrorNameOf(deleted) !=
                           brook::ErrorName::kResourceNotFoundException) {
    return Fail(deleted);
  }
  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 2;
  if (absl::Status created = broker.CreateStream(create); !created.ok()) {
    return Fail(created);
  }

  // Every user clicks before and after each reshard.
  int round = 0;
  for (int shards : {4, 3}) {
    if (absl::Status s = PutClicks(broker, round++); !s.ok()) return Fail(s);
    if (absl::Status s = Scale(broker, shards); !s.ok()) return Fail(s);
  }
  if (absl::Status s = PutClicks(broker, round++); !s.ok()) return Fail(s);

  brook::ShardLineage lineage(&broker, kStream);
  if (absl::Status s = lineage.Refresh(); !s.ok()) return Fail(s);
  std::map<std::string, std::vector<std::string>> clicks;
  while (absl::optional<std::string> shard_id = lineage.Acquire()) {
    std::vector<brook::ChildShard> children;
    absl::StatusOr<bool> ended =
        ReadShard(broker, *shard_id, &clicks, &children);
    if (!ended.ok()) return Fail(ended.status());
    std::cout << "read " << *shard_id << (*ended ? " to its end" : " (open)")
              << "\n";
    if (*ended) lineage.Finish(*shard_id, children);
  }

  // Each user's clicks come out in the order they were put.
  for (const auto& [user, user_clicks] : clicks) {
    std::cout << user << ":";
    for (const std::string& click : user_clicks)
      std::cout << " [" << click << "]";
    std::cout << "\n";
    for (int i = 0; i < round; ++i) {
      if (i >= static_cast<int>(user_clicks.size()) ||
          user_clicks[i] != absl::StrCat("click ", i)) {
        std::cerr << "error: " << user << "'s clicks are out of order\n";
        return 1;
      }
    }
  }
  absl::Status closed = broker.Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
