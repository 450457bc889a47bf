#include "storage/record_batch.h"

#include "common/errors.h"

namespace brook {

void EncodeRecordBatch(int64_t arrival_ms, absl::Span<const RecordView> records,
                       std::string* out) {
  PutFixed64BE(out, static_cast<uint64_t>(arrival_ms));
  PutVarint64(out, records.size());
  for (const RecordView& record : records) {
    PutLengthPrefixed(out, record.partition_key);
    PutLengthPrefixed(out, record.data);
  }
}

absl::StatusOr<RecordBatchReader> RecordBatchReader::Open(
    absl::string_view value) {
  Decoder decoder(value);
  uint64_t arrival_ms = 0;
  uint64_t count = 0;
  if (!decoder.ReadFixed64BE(&arrival_ms) || !decoder.ReadVarint64(&count) ||
      count == 0) {
    return InternalFailure("damaged record batch header");
  }
  return RecordBatchReader(decoder.remaining(),
                           static_cast<int64_t>(arrival_ms), count);
}

absl::StatusOr<bool> RecordBatchReader::Next(RecordView* record) {
  if (read_ == count_) {
    if (!body_.empty()) return InternalFailure("trailing bytes in a batch");
    return false;
  }
  if (!body_.ReadLengthPrefixed(&record->partition_key) ||
      !body_.ReadLengthPrefixed(&record->data)) {
    return InternalFailure("damaged record in a batch");
  }
  ++read_;
  return true;
}

}  // namespace brook
