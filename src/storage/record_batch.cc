#include "storage/record_batch.h"

#include <algorithm>
#include <cassert>

#include "common/errors.h"

namespace brook {
namespace {

bool HasExplicitHashKey(const RecordView& record) {
  return record.explicit_hash_key.has_value();
}

}  // namespace

void EncodeRecordBatch(int64_t arrival_ms, absl::Span<const RecordView> records,
                       std::string* out) {
  assert(arrival_ms >= 0 &&
         static_cast<uint64_t>(arrival_ms) < kKeyedBatchFlag);
  const bool keyed =
      std::any_of(records.begin(), records.end(), HasExplicitHashKey);
  // Sized first, so that the records are copied once, without regrowing.
  size_t size = 8 + 10;
  for (const RecordView& record : records) {
    size += 20 + record.partition_key.size() + record.data.size() +
            (HasExplicitHashKey(record) ? 16 : 0);
  }
  out->reserve(out->size() + size);
  PutFixed64BE(
      out, static_cast<uint64_t>(arrival_ms) | (keyed ? kKeyedBatchFlag : 0));
  PutVarint64(out, records.size());
  for (const RecordView& record : records) {
    if (keyed) {
      PutVarint64(out, (uint64_t{record.partition_key.size()} << 1) |
                           (HasExplicitHashKey(record) ? 1 : 0));
      if (HasExplicitHashKey(record)) {
        PutFixed128BE(out, *record.explicit_hash_key);
      }
    } else {
      PutVarint64(out, record.partition_key.size());
    }
    out->append(record.partition_key.data(), record.partition_key.size());
    PutVarint64(out, record.data.size());
    out->append(record.data.data(), record.data.size());
  }
}

absl::StatusOr<RecordBatchReader> RecordBatchReader::Open(
    absl::string_view value) {
  Decoder decoder(value);
  uint64_t first_field = 0;
  uint64_t count = 0;
  if (!decoder.ReadFixed64BE(&first_field) || !decoder.ReadVarint64(&count) ||
      count == 0) {
    return DataLoss("damaged record batch header");
  }
  // Bit 63 set is a plain batch's negative arrival time, not the flag.
  const bool keyed = (first_field >> 62) == 1;
  const uint64_t arrival_ms =
      keyed ? first_field & ~kKeyedBatchFlag : first_field;
  return RecordBatchReader(decoder.remaining(),
                           static_cast<int64_t>(arrival_ms), count, keyed);
}

bool RecordBatchReader::ReadKeyedHeader(RecordView* record) {
  uint64_t key_header = 0;
  if (!body_.ReadVarint64(&key_header)) return false;
  if ((key_header & 1) != 0) {
    absl::uint128 hash_key = 0;
    if (!body_.ReadFixed128BE(&hash_key)) return false;
    record->explicit_hash_key = hash_key;
  }
  return body_.ReadBytes(key_header >> 1, &record->partition_key);
}

absl::StatusOr<bool> RecordBatchReader::Next(RecordView* record) {
  if (read_ == count_) {
    if (!body_.empty()) return DataLoss("trailing bytes in a batch");
    return false;
  }
  record->explicit_hash_key.reset();
  const bool key_read = keyed_
                            ? ReadKeyedHeader(record)
                            : body_.ReadLengthPrefixed(&record->partition_key);
  if (!key_read || !body_.ReadLengthPrefixed(&record->data)) {
    return DataLoss("damaged record in a batch");
  }
  ++read_;
  return true;
}

}  // namespace brook
