#include "storage/shard_log.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "common/uint128.h"
#include "storage/keys.h"

namespace brook {
namespace {

// After a seek: whether `it` stands on an entry (false past the end), or
// the error that stopped it.
absl::StatusOr<bool> OnEntry(const StoreIterator& it) {
  if (it.Valid()) return true;
  if (absl::Status status = it.status(); !status.ok()) return status;
  return false;
}

Record MakeRecord(ShardRef shard, uint64_t counter, int64_t arrival_ms,
                  const RecordView& view, EncryptionType encryption) {
  Record record;
  record.encryption_type = encryption;
  record.sequence_number = MakeSequenceNumber(counter, shard);
  record.approximate_arrival_timestamp = absl::FromUnixMillis(arrival_ms);
  record.partition_key = std::string(view.partition_key);
  record.data = std::string(view.data);
  if (view.explicit_hash_key.has_value()) {
    record.explicit_hash_key = Uint128ToDecimal(*view.explicit_hash_key);
  }
  return record;
}

// Adds the stored batch `value`, under `key` and starting at
// `first_counter`, to `collector`, verified or opened first. Returns whether
// the read goes on.
absl::StatusOr<bool> AddStoredBatch(const Store& store, ShardRef shard,
                                    uint64_t first_counter,
                                    absl::string_view key,
                                    absl::string_view value,
                                    const BatchKeys& keys,
                                    ShardReadCollector& collector) {
  if (!IsEncryptedBatch(value)) {
    BROOK_ASSIGN_OR_RETURN(absl::string_view batch,
                           StoredPlaintextBatch(store, key, value));
    return collector.Add(first_counter, batch, EncryptionType::kNone);
  }
  BROOK_ASSIGN_OR_RETURN(std::string opened,
                         OpenRecordBatch(shard, first_counter, value, keys));
  return collector.Add(first_counter, opened, EncryptionType::kKms);
}

// Walks a shard's time index beside a read of its batches, to tell a skip
// in the counters that is legitimate (the counters between a shard's
// batches belong to other shards, or were skipped by a restart) from one
// that hides a batch: every batch has its entry, written with it. Opened at
// the first skip; each check goes on from where the last one stopped, so a
// read takes about one step of it per batch, not a seek.
class TimeIndexCursor {
 public:
  TimeIndexCursor(Store& store, ShardRef shard)
      : store_(store), shard_(shard) {}

  // OK if no entry lists a batch starting in [from_counter, to_counter);
  // DataLoss naming the first that does. Calls come with rising
  // `from_counter`; `arrival_floor_ms` is at or below the arrival time of
  // any batch in the first call's range (entries are in counter order, as
  // arrival times never decrease within a shard).
  absl::Status CheckNoBatchIn(uint64_t from_counter, uint64_t to_counter,
                              int64_t arrival_floor_ms) {
    if (!it_.has_value()) {
      it_.emplace(store_.NewIterator(Family::kTimeIndex, ShardKeys(shard_)));
      it_->Seek(TimeIndexKey(shard_, arrival_floor_ms, from_counter));
    }
    for (; it_->Valid(); it_->Next()) {
      BROOK_ASSIGN_OR_RETURN(uint64_t listed,
                             ParseTimeIndexKey(shard_, it_->key()));
      if (listed >= to_counter) return absl::OkStatus();
      if (listed >= from_counter) {
        return DataLoss(absl::StrCat(
            "shard ", ShardIdOf(shard_.shard_index), ": the batch at counter ",
            listed, " is in the time index but missing from the records"));
      }
    }
    return it_->status();
  }

 private:
  Store& store_;
  const ShardRef shard_;
  absl::optional<StoreIterator> it_;
};

}  // namespace

absl::StatusOr<absl::string_view> StoredPlaintextBatch(
    const Store& store, absl::string_view record_key,
    absl::string_view stored) {
  if (!store.checksummed_batches()) return stored;
  return VerifyBatchChecksum(record_key, stored);
}

ShardReadCollector::ShardReadCollector(ShardRef shard, uint64_t from_counter,
                                       uint64_t last_visible_counter,
                                       size_t max_records, size_t max_bytes)
    : shard_(shard),
      from_counter_(from_counter),
      last_visible_counter_(last_visible_counter),
      max_records_(max_records),
      max_bytes_(max_bytes) {
  result_.next_counter = from_counter;
}

void ShardReadCollector::Reserve(uint64_t first_counter,
                                 const RecordBatchReader& reader,
                                 size_t encoded_bytes) {
  // The records the rest of the read may take: bounded by its record limit,
  // by the visible counters, and by what its byte limit holds at this
  // batch's size per record (an eighth more, as the encoding's lengths count
  // in that size but not against the limit). Reserved at once, a read of
  // many batches (10,000 records in 20 batches of a drain) moves no record;
  // the same bounds keep a short read's reservation small.
  std::vector<Record>& records = result_.records;
  const uint64_t bytes_per_record =
      std::max<uint64_t>(1, encoded_bytes / reader.count());
  const uint64_t bytes_left = max_bytes_ - std::min(bytes_, max_bytes_);
  const uint64_t by_bytes = bytes_left / bytes_per_record + 1;
  const uint64_t estimate = std::min({max_records_ - records.size(),
                                      last_visible_counter_ - first_counter + 1,
                                      by_bytes + by_bytes / 8});
  if (records.size() + std::min(reader.count(), estimate) <=
      records.capacity()) {
    return;
  }
  // Past an estimate that fell short, growing at least twofold keeps the
  // moves per record bounded.
  records.reserve(std::min<uint64_t>(
      std::max<uint64_t>(records.size() + estimate, 2 * records.capacity()),
      max_records_));
}

absl::StatusOr<bool> ShardReadCollector::Add(uint64_t first_counter,
                                             absl::string_view encoded_batch,
                                             EncryptionType encryption) {
  if (!Wants(first_counter)) return false;
  absl::StatusOr<RecordBatchReader> reader =
      RecordBatchReader::Open(encoded_batch);
  if (!reader.ok()) return reader.status();
  // A shard's batches hold disjoint, increasing runs of counters.
  if (first_counter < next_batch_counter_) {
    return DataLoss(absl::StrCat("batch at counter ", first_counter,
                                 " of shard ", ShardIdOf(shard_.shard_index),
                                 " overlaps the batch before it"));
  }
  next_batch_counter_ = first_counter + reader->count();
  last_batch_arrival_ms_ = reader->arrival_ms();
  Reserve(first_counter, *reader, encoded_batch.size());
  const size_t records_before = result_.records.size();
  const size_t bytes_before = bytes_;
  const uint64_t next_counter_before = result_.next_counter;
  RecordView view;
  for (uint64_t counter = first_counter;; ++counter) {
    absl::StatusOr<bool> more = reader->Next(&view);
    if (!more.ok()) {
      // The records decoded before the damage are no more trusted than the
      // rest of their batch.
      result_.records.resize(records_before);
      bytes_ = bytes_before;
      result_.next_counter = next_counter_before;
      return more.status();
    }
    if (!*more) return true;
    if (counter < from_counter_) continue;
    const size_t size = view.partition_key.size() + view.data.size();
    if (result_.records.size() == max_records_ ||
        (!result_.records.empty() && bytes_ + size > max_bytes_)) {
      result_.next_arrival_ms = reader->arrival_ms();
      return false;
    }
    result_.records.push_back(
        MakeRecord(shard_, counter, reader->arrival_ms(), view, encryption));
    bytes_ += size;
    result_.next_counter = counter + 1;
  }
}

absl::StatusOr<ShardReadResult> ShardReadCollector::FinishBefore(
    absl::optional<uint64_t> batch_counter, absl::Status error) && {
  // A batch below where the read stands (it overlaps records returned) has
  // no place for the next read to start at: it would pass over it.
  if (result_.records.empty() ||
      (batch_counter.has_value() && *batch_counter < result_.next_counter)) {
    return error;
  }
  // Arrival times never decrease within a shard.
  result_.next_arrival_ms =
      absl::ToUnixMillis(result_.records.back().approximate_arrival_timestamp);
  // No record of the shard lies between the last one returned and the
  // failed batch: the next read may seek it directly.
  if (batch_counter.has_value()) result_.next_counter = *batch_counter;
  return std::move(result_);
}

absl::StatusOr<ShardReadResult> ShardLog::Read(
    ShardRef shard, uint64_t from_counter, uint64_t last_visible_counter,
    size_t max_records, size_t max_bytes, const BatchKeys& keys) const {
  ShardReadCollector collector(shard, from_counter, last_visible_counter,
                               max_records, max_bytes);
  // Every value read is verified below, by its CRC32C or its GCM tag.
  StoreIterator it = store_->NewIterator(
      Family::kRecords, ShardKeys(shard),
      store_->checksummed_batches() ? ReadChecks::kCallerVerifiesEveryValue
                                    : ReadChecks::kStore);
  // The batch holding `from_counter` starts at or before it.
  it.SeekForPrev(RecordKey(shard, from_counter));
  if (!it.Valid()) it.SeekToFirst();
  // Where RocksDB's own checksums are off for this read, damage to a
  // table's keys or index can hide whole batches, which no batch checksum
  // sees. So each skip in the counters is checked against the time index,
  // in other files: the read passes it only if no batch is listed in it.
  // Any batch at or below `last_visible_counter` was written before this
  // iterator was made, so the time index's later view adds none there.
  TimeIndexCursor time_index(*store_, shard);
  auto expected = [&] {
    return std::max(from_counter, collector.next_batch_counter());
  };
  // A missing batch may start below `from_counter` and hold it, so the
  // check starts where the last stored batch ended.
  auto check_skip_to = [&](uint64_t to_counter) {
    return expected() >= to_counter
               ? absl::OkStatus()
               : time_index.CheckNoBatchIn(collector.next_batch_counter(),
                                           to_counter,
                                           collector.last_batch_arrival_ms());
  };
  const uint64_t read_end = last_visible_counter + 1;
  for (; it.Valid(); it.Next()) {
    absl::StatusOr<uint64_t> first_counter = ParseRecordKey(shard, it.key());
    if (!first_counter.ok()) {
      return std::move(collector).FinishBefore(absl::nullopt,
                                               first_counter.status());
    }
    const absl::Status skip = check_skip_to(std::min(*first_counter, read_end));
    if (!skip.ok()) return std::move(collector).FinishBefore(expected(), skip);
    if (!collector.Wants(*first_counter)) return std::move(collector).Finish();
    absl::StatusOr<bool> more = AddStoredBatch(
        *store_, shard, *first_counter, it.key(), it.value(), keys, collector);
    if (!more.ok()) {
      return std::move(collector).FinishBefore(*first_counter, more.status());
    }
    if (!*more) return std::move(collector).Finish();
  }
  if (absl::Status status = it.status(); !status.ok()) {
    return std::move(collector).FinishBefore(absl::nullopt, status);
  }
  // The shard's stored batches ran out before its visible end.
  const absl::Status skip = check_skip_to(read_end);
  if (!skip.ok()) return std::move(collector).FinishBefore(expected(), skip);
  return std::move(collector).Finish();
}

absl::StatusOr<absl::optional<uint64_t>> ShardLog::OldestCounter(
    ShardRef shard) const {
  StoreIterator it = store_->NewIterator(Family::kRecords, ShardKeys(shard));
  it.SeekToFirst();
  BROOK_ASSIGN_OR_RETURN(bool found, OnEntry(it));
  if (!found) return absl::nullopt;
  return ParseRecordKey(shard, it.key());
}

absl::StatusOr<absl::optional<ShardTail>> ShardLog::Tail(
    ShardRef shard, TailCheck check) const {
  absl::StatusOr<absl::optional<ShardTail>> stored = StoredTail(shard, check);
  if (stored.ok() || stored.status().code() != absl::StatusCode::kDataLoss) {
    return stored;
  }
  // Every batch has its time index entry, written with it and trimmed with
  // it, and arrival times never decrease within a shard: the newest entry
  // is the newest batch's.
  absl::StatusOr<absl::optional<ShardTail>> indexed = IndexedTail(shard);
  if (!indexed.ok() || !indexed->has_value()) return stored.status();
  return indexed;
}

absl::StatusOr<absl::optional<ShardTail>> ShardLog::StoredTail(
    ShardRef shard, TailCheck check) const {
  StoreIterator it = store_->NewIterator(Family::kRecords, ShardKeys(shard));
  it.SeekToLast();
  BROOK_ASSIGN_OR_RETURN(bool found, OnEntry(it));
  if (!found) return absl::nullopt;
  BROOK_ASSIGN_OR_RETURN(uint64_t first_counter,
                         ParseRecordKey(shard, it.key()));
  absl::string_view value = it.value();
  if (check == TailCheck::kChecksum && !IsEncryptedBatch(value)) {
    BROOK_ASSIGN_OR_RETURN(value,
                           StoredPlaintextBatch(*store_, it.key(), value));
  }
  BROOK_ASSIGN_OR_RETURN(StoredBatchHeader header,
                         ReadStoredBatchHeader(value));
  return ShardTail{first_counter + header.count - 1, header.arrival_ms};
}

absl::StatusOr<absl::optional<ShardTail>> ShardLog::IndexedTail(
    ShardRef shard) const {
  StoreIterator it = store_->NewIterator(Family::kTimeIndex, ShardKeys(shard));
  it.SeekToLast();
  BROOK_ASSIGN_OR_RETURN(bool found, OnEntry(it));
  if (!found) return absl::nullopt;
  BROOK_ASSIGN_OR_RETURN(TimeIndexEntry entry,
                         ParseTimeIndexEntry(shard, it.key()));
  return ShardTail{entry.first_counter, entry.arrival_ms};
}

absl::StatusOr<absl::optional<uint64_t>> ShardLog::FirstCounterArrivedAtOrAfter(
    ShardRef shard, int64_t arrival_ms) const {
  StoreIterator it = store_->NewIterator(Family::kTimeIndex, ShardKeys(shard));
  it.Seek(TimeIndexKey(shard, arrival_ms, 0));
  BROOK_ASSIGN_OR_RETURN(bool found, OnEntry(it));
  if (!found) return absl::nullopt;
  return ParseTimeIndexKey(shard, it.key());
}

}  // namespace brook
