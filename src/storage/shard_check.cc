#include "storage/shard_check.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/encrypted_batch.h"
#include "storage/keys.h"
#include "storage/record_batch.h"
#include "storage/shard_log.h"

namespace brook {
namespace {

// Problems of one shard, capped at kMaxProblemsPerShard.
class ShardProblems {
 public:
  ShardProblems(const std::string& where, std::vector<std::string>* out)
      : where_(where), out_(out) {}
  ~ShardProblems() {
    if (dropped_ > 0) {
      out_->push_back(absl::StrCat(where_, ": ", dropped_, " more problems"));
    }
  }

  void Add(absl::string_view problem) {
    if (added_ == kMaxProblemsPerShard) {
      ++dropped_;
      return;
    }
    ++added_;
    out_->push_back(absl::StrCat(where_, ": ", problem));
  }

  // Adds a DataLoss status as a problem; returns any other error.
  absl::Status AddDamage(const absl::Status& status) {
    if (status.code() != absl::StatusCode::kDataLoss) return status;
    Add(status.message());
    return absl::OkStatus();
  }

 private:
  const std::string& where_;
  std::vector<std::string>* const out_;
  int added_ = 0;
  int dropped_ = 0;
};

// A batch as read: where it starts, how many records, when it arrived.
struct BatchInfo {
  uint64_t first_counter = 0;
  uint64_t count = 0;
  int64_t arrival_ms = 0;
};

// Checks the CRC32C of `value`, stored under `key`, when the store's batches
// carry one, and decodes every record, adding their sizes to `stats`. An
// encrypted batch is checked by its header only: an offline check has no
// keys (RocksDB's checksums still cover it). Its records count; their bytes
// (sealed) do not.
absl::StatusOr<BatchInfo> ReadBatch(const Store& store, uint64_t first_counter,
                                    absl::string_view key,
                                    absl::string_view value,
                                    ShardCheckStats* stats) {
  if (IsEncryptedBatch(value)) {
    BROOK_ASSIGN_OR_RETURN(StoredBatchHeader header,
                           ReadStoredBatchHeader(value));
    stats->records += header.count;
    return BatchInfo{first_counter, header.count, header.arrival_ms};
  }
  BROOK_ASSIGN_OR_RETURN(absl::string_view batch,
                         StoredPlaintextBatch(store, key, value));
  BROOK_ASSIGN_OR_RETURN(RecordBatchReader reader,
                         RecordBatchReader::Open(batch));
  RecordView record;
  int64_t bytes = 0;
  uint64_t read = 0;
  while (true) {
    BROOK_ASSIGN_OR_RETURN(bool more, reader.Next(&record));
    if (!more) break;
    bytes += record.partition_key.size() + record.data.size();
    ++read;
  }
  stats->bytes += bytes;
  stats->records += read;
  return BatchInfo{first_counter, reader.count(), reader.arrival_ms()};
}

// Walks the time index of a shard alongside its batches.
class TimeIndexWalk {
 public:
  TimeIndexWalk(Store& store, ShardRef shard, ShardProblems& problems)
      : shard_(shard),
        it_(store.NewIterator(Family::kTimeIndex, ShardKeys(shard))),
        problems_(problems) {
    it_.SeekToFirst();
  }

  // Expects the entry of the batch at `first_counter` next, with
  // `arrival_ms` when the batch could be read (a damaged batch is reported
  // once, by its reader); reports entries of no batch before it, or its
  // own entry missing.
  absl::Status Expect(uint64_t first_counter,
                      absl::optional<int64_t> arrival_ms) {
    while (it_.Valid()) {
      absl::StatusOr<TimeIndexEntry> entry =
          ParseTimeIndexEntry(shard_, it_.key());
      if (!entry.ok()) {
        BROOK_RETURN_IF_ERROR(problems_.AddDamage(entry.status()));
        it_.Next();
        continue;
      }
      if (entry->first_counter > first_counter) break;
      if (entry->first_counter < first_counter) {
        problems_.Add(absl::StrCat("the time index points at counter ",
                                   entry->first_counter,
                                   ", where no batch starts"));
      } else if (arrival_ms.has_value() && entry->arrival_ms != *arrival_ms) {
        problems_.Add(absl::StrCat("the time index gives the batch at counter ",
                                   first_counter, " arrival time ",
                                   entry->arrival_ms, ", the batch says ",
                                   *arrival_ms));
      }
      it_.Next();
      if (entry->first_counter == first_counter) return absl::OkStatus();
    }
    problems_.Add(absl::StrCat("the batch at counter ", first_counter,
                               " has no time index entry"));
    return problems_.AddDamage(it_.status());
  }

  // Reports the entries left after the last batch.
  absl::Status Finish() {
    for (; it_.Valid(); it_.Next()) {
      problems_.Add("the time index has an entry past the last batch");
    }
    return problems_.AddDamage(it_.status());
  }

  // For records that could not be read to their end: counts the entries
  // left, the batches left unread, reporting only entries damaged in
  // themselves (the batches they point at cannot be compared).
  absl::StatusOr<int64_t> CountUnread() {
    int64_t unread = 0;
    for (; it_.Valid(); it_.Next()) {
      absl::Status parsed = ParseTimeIndexEntry(shard_, it_.key()).status();
      if (parsed.ok()) {
        ++unread;
      } else {
        BROOK_RETURN_IF_ERROR(problems_.AddDamage(parsed));
      }
    }
    BROOK_RETURN_IF_ERROR(problems_.AddDamage(it_.status()));
    return unread;
  }

 private:
  const ShardRef shard_;
  StoreIterator it_;
  ShardProblems& problems_;
};

// Checks that `batch` lies inside the shard and after `previous`.
void CheckPlacement(const ShardMeta& meta, const BatchInfo& batch,
                    const absl::optional<BatchInfo>& previous,
                    ShardProblems& problems) {
  const uint64_t last = batch.first_counter + batch.count - 1;
  if (batch.first_counter < meta.starting_counter) {
    problems.Add(absl::StrCat("the batch at counter ", batch.first_counter,
                              " starts before the shard's first counter ",
                              meta.starting_counter));
  }
  if (!meta.open() && last > *meta.ending_counter) {
    problems.Add(absl::StrCat("the batch at counter ", batch.first_counter,
                              " ends after the closed shard's last counter ",
                              *meta.ending_counter));
  }
  if (!previous.has_value()) return;
  if (batch.first_counter < previous->first_counter + previous->count) {
    problems.Add(absl::StrCat("the batch at counter ", batch.first_counter,
                              " overlaps the one at counter ",
                              previous->first_counter));
  }
  if (batch.arrival_ms < previous->arrival_ms) {
    problems.Add(absl::StrCat("the batch at counter ", batch.first_counter,
                              " arrived before the one before it"));
  }
}

}  // namespace

absl::StatusOr<ShardCheckStats> CheckShardLog(
    Store& store, ShardRef shard, const ShardMeta& meta,
    const std::string& where, std::vector<std::string>* problems_out) {
  ShardProblems problems(where, problems_out);
  ShardCheckStats stats;
  TimeIndexWalk index(store, shard, problems);
  absl::optional<BatchInfo> previous;
  absl::optional<uint64_t> last_key;  // Of the last batch found, read or not.
  StoreIterator it = store.NewIterator(Family::kRecords, ShardKeys(shard));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    absl::StatusOr<uint64_t> first_counter = ParseRecordKey(shard, it.key());
    if (!first_counter.ok()) {
      ++stats.damaged_batches;
      BROOK_RETURN_IF_ERROR(problems.AddDamage(first_counter.status()));
      continue;
    }
    last_key = *first_counter;
    absl::StatusOr<BatchInfo> batch =
        ReadBatch(store, *first_counter, it.key(), it.value(), &stats);
    if (!batch.ok()) {
      ++stats.damaged_batches;
      problems.Add(absl::StrCat("the batch at counter ", *first_counter, ": ",
                                batch.status().message()));
      BROOK_RETURN_IF_ERROR(index.Expect(*first_counter, absl::nullopt));
      continue;
    }
    ++stats.batches;
    CheckPlacement(meta, *batch, previous, problems);
    BROOK_RETURN_IF_ERROR(
        index.Expect(batch->first_counter, batch->arrival_ms));
    stats.last_counter = batch->first_counter + batch->count - 1;
    previous = *batch;
  }
  if (it.status().ok()) {
    BROOK_RETURN_IF_ERROR(index.Finish());
    return stats;
  }
  // The records cannot be read past here (RocksDB found a damaged block):
  // the damage is one problem, and the batches the time index lists
  // beyond it are counted, not each reported.
  if (it.status().code() != absl::StatusCode::kDataLoss) return it.status();
  BROOK_ASSIGN_OR_RETURN(const int64_t unread, index.CountUnread());
  stats.damaged_batches += unread;
  problems.Add(absl::StrCat(
      "the records cannot be read ",
      last_key.has_value()
          ? absl::StrCat("past the batch at counter ", *last_key)
          : std::string("from the first batch"),
      " (", it.status().message(), "); ", unread,
      " batches the time index lists from there on were not read"));
  return stats;
}

}  // namespace brook
