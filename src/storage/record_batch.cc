#include "storage/record_batch.h"

#include "common/errors.h"

namespace brook {

std::vector<absl::string_view> EncodeRecordBatchParts(
    int64_t arrival_ms, absl::Span<const RecordView> records,
    std::string* framing) {
  // Reserving the most the framing can take keeps its bytes in place while
  // the ranges below point into it: 8 + 10 for the header, and at most 10
  // bytes per length.
  framing->clear();
  framing->reserve(18 + 20 * records.size());
  std::vector<absl::string_view> parts;
  parts.reserve(1 + 4 * records.size());
  auto frame = [&](auto&& write) {
    const size_t start = framing->size();
    write();
    parts.push_back(absl::string_view(*framing).substr(start));
  };
  frame([&] {
    PutFixed64BE(framing, static_cast<uint64_t>(arrival_ms));
    PutVarint64(framing, records.size());
  });
  for (const RecordView& record : records) {
    frame([&] { PutVarint64(framing, record.partition_key.size()); });
    parts.push_back(record.partition_key);
    frame([&] { PutVarint64(framing, record.data.size()); });
    parts.push_back(record.data);
  }
  return parts;
}

void EncodeRecordBatch(int64_t arrival_ms, absl::Span<const RecordView> records,
                       std::string* out) {
  std::string framing;
  const std::vector<absl::string_view> parts =
      EncodeRecordBatchParts(arrival_ms, records, &framing);
  size_t size = 0;
  for (absl::string_view part : parts) size += part.size();
  out->reserve(out->size() + size);
  for (absl::string_view part : parts) out->append(part.data(), part.size());
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
