// Quickstart: open a Brook data directory, create a stream, put a few
// records, and read them back from the start of each shard.
//
//   quickstart [data-dir]      (default: ./brook-data)

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/shard_lineage.h"

namespace {

constexpr char kStream[] = "quickstart";

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  absl::StatusOr<std::unique_ptr<brook::Broker>> broker =
      brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!broker.ok()) return Fail(broker.status());

  // A stream left by an earlier run is reused; its old records are read too.
  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 2;
  absl::Status created = (*broker)->CreateStream(create);
  if (!created.ok() && brook::ErrorNameOf(created) !=
                           brook::ErrorName::kResourceInUseException) {
    return Fail(created);
  }

  for (int i = 0; i < 5; ++i) {
    brook::PutRecordRequest put;
    put.stream = kStream;
    put.partition_key = absl::StrCat("user-", i);
    put.data = absl::StrCat("clicked page ", i * 7);
    // Retries with backoff if the shard's write limits refuse the record.
    absl::StatusOr<brook::PutRecordResult> result =
        brook::PutRecordWithRetry(**broker, put);
    if (!result.ok()) return Fail(result.status());
    std::cout << "put " << put.partition_key << " -> " << result->shard_id
              << " #" << result->sequence_number << "\n";
  }

  // Read each shard from its start. ShardLineage hands out a shard only
  // after its parents (if the stream was ever resharded), so that each
  // user's records come out in the order they were put.
  brook::ShardLineage lineage(broker->get(), kStream);
  if (absl::Status refreshed = lineage.Refresh(); !refreshed.ok()) {
    return Fail(refreshed);
  }
  while (absl::optional<std::string> shard_id = lineage.Acquire()) {
    brook::GetShardIteratorRequest from_start;
    from_start.stream = kStream;
    from_start.shard_id = *shard_id;
    from_start.shard_iterator_type = brook::ShardIteratorType::kTrimHorizon;
    absl::StatusOr<brook::GetShardIteratorResult> iterator =
        (*broker)->GetShardIterator(from_start);
    if (!iterator.ok()) return Fail(iterator.status());
    brook::GetRecordsRequest get;
    get.shard_iterator = iterator->shard_iterator;
    absl::StatusOr<brook::GetRecordsResult> records =
        (*broker)->GetRecords(get);
    if (!records.ok()) return Fail(records.status());
    std::cout << *shard_id << ": " << records->records.size() << " records\n";
    for (const brook::Record& record : records->records) {
      std::cout << "  #" << record.sequence_number << " "
                << record.partition_key << ": " << record.data << "\n";
    }
    // A closed shard read to its end names the shards that follow it.
    if (records->next_shard_iterator.empty()) {
      lineage.Finish(*shard_id, records->child_shards);
    }
  }
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
