#include "storage/record_batch.h"

#include <algorithm>
#include <cassert>

#include "common/crc32c.h"
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
         static_cast<uint64_t>(arrival_ms) < kChecksummedBatchFlag);
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

namespace {

// The flag's bit within the first byte of the big-endian first field.
constexpr char kChecksummedFirstByteBit =
    static_cast<char>(kChecksummedBatchFlag >> 56);

uint32_t BatchChecksum(absl::string_view record_key, char first_byte,
                       absl::string_view rest) {
  uint32_t crc = Crc32c(record_key);
  crc = Crc32cExtend(crc, absl::string_view(&first_byte, 1));
  return Crc32cExtend(crc, rest);
}

}  // namespace

ChecksummedBatch::ChecksummedBatch(absl::string_view record_key,
                                   absl::string_view encoded_batch)
    : first_byte_(encoded_batch[0] | kChecksummedFirstByteBit),
      rest_(encoded_batch.substr(1)) {
  assert(!encoded_batch.empty() &&
         (encoded_batch[0] & kChecksummedFirstByteBit) == 0);
  std::string checksum;
  PutFixed32BE(&checksum, BatchChecksum(record_key, first_byte_, rest_));
  std::copy(checksum.begin(), checksum.end(), checksum_.begin());
}

std::string ChecksummedBatch::value() const {
  std::string value;
  for (absl::string_view piece : pieces()) {
    value.append(piece.data(), piece.size());
  }
  return value;
}

absl::StatusOr<absl::string_view> VerifyBatchChecksum(
    absl::string_view record_key, absl::string_view stored) {
  if (stored.size() < 1 + kBatchChecksumBytes ||
      (stored[0] & kChecksummedFirstByteBit) == 0 || (stored[0] & 0x80) != 0) {
    return DataLoss("a record batch without its checksum");
  }
  const absl::string_view batch =
      stored.substr(0, stored.size() - kBatchChecksumBytes);
  const uint32_t expected = DecodeFixed32BE(stored.data() + batch.size());
  if (BatchChecksum(record_key, batch[0], batch.substr(1)) != expected) {
    return DataLoss("record batch checksum mismatch");
  }
  return batch;
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
  // Bit 63 set is a plain batch's negative arrival time, not the flags.
  const bool flagged = (first_field >> 63) == 0;
  const bool keyed = flagged && (first_field & kKeyedBatchFlag) != 0;
  const uint64_t arrival_ms =
      flagged ? first_field & ~(kKeyedBatchFlag | kChecksummedBatchFlag)
              : first_field;
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
