#include "storage/record_batch.h"

#include "common/errors.h"

namespace brook {

void EncodeRecordBatch(int64_t arrival_ms, absl::Span<const RecordView> records,
                       std::string* out) {
  // Sized first, so that the records are copied once, without regrowing.
  size_t size = 8 + 10;
  for (const RecordView& record : records) {
    size += 20 + record.partition_key.size() + record.data.size();
  }
  out->reserve(out->size() + size);
  PutFixed64BE(out, static_cast<uint64_t>(arrival_ms));
  PutVarint64(out, records.size());
  for (const RecordView& record : records) {
    PutVarint64(out, record.partition_key.size());
    out->append(record.partition_key.data(), record.partition_key.size());
    PutVarint64(out, record.data.size());
    out->append(record.data.data(), record.data.size());
  }
}

absl::StatusOr<RecordBatchReader> RecordBatchReader::Open(
    absl::string_view value) {
  Decoder decoder(value);
  uint64_t arrival_ms = 0;
  uint64_t count = 0;
  if (!decoder.ReadFixed64BE(&arrival_ms) || !decoder.ReadVarint64(&count) ||
      count == 0) {
    return DataLoss("damaged record batch header");
  }
  return RecordBatchReader(decoder.remaining(),
                           static_cast<int64_t>(arrival_ms), count);
}

absl::StatusOr<bool> RecordBatchReader::Next(RecordView* record) {
  if (read_ == count_) {
    if (!body_.empty()) return DataLoss("trailing bytes in a batch");
    return false;
  }
  if (!body_.ReadLengthPrefixed(&record->partition_key) ||
      !body_.ReadLengthPrefixed(&record->data)) {
    return DataLoss("damaged record in a batch");
  }
  ++read_;
  return true;
}

}  // namespace brook
