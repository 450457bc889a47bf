#include "storage/shard_log.h"

#include <string>
#include <utility>

#include "storage/keys.h"

namespace brook {
namespace {

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

// After a seek: whether `it` stands on an entry (false past the end), or
// the error that stopped it.
absl::StatusOr<bool> OnEntry(BoundedIterator& it) {
  if (it->Valid()) return true;
  if (absl::Status status = it.status(); !status.ok()) return status;
  return false;
}

Record MakeRecord(ShardRef shard, uint64_t counter, int64_t arrival_ms,
                  const RecordView& view) {
  Record record;
  record.sequence_number = MakeSequenceNumber(counter, shard);
  record.approximate_arrival_timestamp = absl::FromUnixMillis(arrival_ms);
  record.partition_key = std::string(view.partition_key);
  record.data = std::string(view.data);
  return record;
}

}  // namespace

void ShardLog::AddBatch(rocksdb::WriteBatch* batch, ShardRef shard,
                        uint64_t first_counter, int64_t arrival_ms,
                        absl::string_view encoded_batch) const {
  batch
      ->Put(store_->records(), RecordKey(shard, first_counter),
            ToSlice(encoded_batch))
      .PermitUncheckedError();
  batch
      ->Put(store_->time_index(),
            TimeIndexKey(shard, arrival_ms, first_counter), rocksdb::Slice())
      .PermitUncheckedError();
}

void ShardLog::AddTrim(rocksdb::WriteBatch* batch, ShardRef shard,
                       uint64_t keep_from_counter, int64_t horizon_ms) const {
  batch
      ->DeleteRange(store_->records(), ShardPrefix(shard),
                    RecordKey(shard, keep_from_counter))
      .PermitUncheckedError();
  batch
      ->DeleteRange(store_->time_index(), ShardPrefix(shard),
                    TimeIndexKey(shard, horizon_ms, 0))
      .PermitUncheckedError();
}

void ShardLog::AddStreamDeletion(rocksdb::WriteBatch* batch,
                                 uint32_t stream_id) const {
  const std::string begin = StreamPrefix(stream_id);
  const std::string end = StreamPrefixEnd(stream_id);
  for (rocksdb::ColumnFamilyHandle* family :
       {store_->records(), store_->time_index()}) {
    batch->DeleteRange(family, begin, end).PermitUncheckedError();
  }
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

absl::StatusOr<bool> ShardReadCollector::Add(uint64_t first_counter,
                                             absl::string_view encoded_batch) {
  if (first_counter > last_visible_counter_) return false;
  absl::StatusOr<RecordBatchReader> reader =
      RecordBatchReader::Open(encoded_batch);
  if (!reader.ok()) return reader.status();
  RecordView view;
  for (uint64_t counter = first_counter;; ++counter) {
    absl::StatusOr<bool> more = reader->Next(&view);
    if (!more.ok()) return more.status();
    if (!*more) return true;
    if (counter < from_counter_) continue;
    const size_t size = view.partition_key.size() + view.data.size();
    if (result_.records.size() == max_records_ ||
        (!result_.records.empty() && bytes_ + size > max_bytes_)) {
      result_.next_arrival_ms = reader->arrival_ms();
      return false;
    }
    result_.records.push_back(
        MakeRecord(shard_, counter, reader->arrival_ms(), view));
    bytes_ += size;
    result_.next_counter = counter + 1;
  }
}

absl::StatusOr<ShardReadResult> ShardLog::Read(ShardRef shard,
                                               uint64_t from_counter,
                                               uint64_t last_visible_counter,
                                               size_t max_records,
                                               size_t max_bytes) const {
  ShardReadCollector collector(shard, from_counter, last_visible_counter,
                               max_records, max_bytes);
  BoundedIterator it = store_->NewIterator(
      store_->records(), ShardPrefix(shard), ShardPrefixEnd(shard));
  // The batch holding `from_counter` starts at or before it.
  it->SeekForPrev(ToSlice(RecordKey(shard, from_counter)));
  if (!it->Valid()) it->SeekToFirst();
  for (; it->Valid(); it->Next()) {
    absl::StatusOr<bool> more = collector.Add(
        FirstCounterOfRecordKey(ToView(it->key())), ToView(it->value()));
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  if (absl::Status status = it.status(); !status.ok()) return status;
  return std::move(collector).Finish();
}

absl::StatusOr<absl::optional<uint64_t>> ShardLog::OldestCounter(
    ShardRef shard) const {
  BoundedIterator it = store_->NewIterator(
      store_->records(), ShardPrefix(shard), ShardPrefixEnd(shard));
  it->SeekToFirst();
  absl::StatusOr<bool> found = OnEntry(it);
  if (!found.ok()) return found.status();
  if (!*found) return absl::nullopt;
  return FirstCounterOfRecordKey(ToView(it->key()));
}

absl::StatusOr<absl::optional<ShardTail>> ShardLog::Tail(ShardRef shard) const {
  BoundedIterator it = store_->NewIterator(
      store_->records(), ShardPrefix(shard), ShardPrefixEnd(shard));
  it->SeekToLast();
  absl::StatusOr<bool> found = OnEntry(it);
  if (!found.ok()) return found.status();
  if (!*found) return absl::nullopt;
  absl::StatusOr<RecordBatchReader> reader =
      RecordBatchReader::Open(ToView(it->value()));
  if (!reader.ok()) return reader.status();
  return ShardTail{
      FirstCounterOfRecordKey(ToView(it->key())) + reader->count() - 1,
      reader->arrival_ms()};
}

absl::StatusOr<absl::optional<uint64_t>> ShardLog::FirstCounterArrivedAtOrAfter(
    ShardRef shard, int64_t arrival_ms) const {
  BoundedIterator it = store_->NewIterator(
      store_->time_index(), ShardPrefix(shard), ShardPrefixEnd(shard));
  it->Seek(ToSlice(TimeIndexKey(shard, arrival_ms, 0)));
  absl::StatusOr<bool> found = OnEntry(it);
  if (!found.ok()) return found.status();
  if (!*found) return absl::nullopt;
  return FirstCounterOfTimeIndexKey(ToView(it->key()));
}

}  // namespace brook
