// The value format of one record batch: a run of consecutive records of one
// shard that one commit appended, sharing one arrival time. Record i of a
// batch keyed by first_counter F has counter F + i. A batch takes one of two
// layouts (docs/storage-format.md):
//
// Plain, for a batch in which no record was put with an explicit hash key
// (and every batch written before explicit hash keys were kept):
//
//   arrival_ms:fixed64be  count:varint  { partition_key:lenprefixed
//                                         data:lenprefixed } * count
//
// Keyed, for a batch in which at least one record was:
//
//   (arrival_ms | kKeyedBatchFlag):fixed64be  count:varint
//   { key_header:varint  [explicit_hash_key:fixed64be*2]
//     partition_key:key_header>>1 bytes  data:lenprefixed } * count
//
// where bit 0 of key_header says whether the explicit hash key follows.
// Arrival times are milliseconds since 1970 (below 2^61, and never negative
// in practice), so neither flag can be read into a plain batch's first
// field. Records without an explicit hash key cost nothing in a plain batch.
//
// Stored in a data directory of format 2 (storage/data_dir.h), a plaintext
// batch of either layout is checksummed: bit 61 of its first field is set,
// and a CRC32C follows it, over the record key the batch is stored under
// followed by the batch's bytes (flag included):
//
//   batch (first field | kChecksummedBatchFlag)  crc32c:fixed32be
//
// so that damage anywhere in the value, or a value found under another key,
// is caught by the reader itself. Sealed batches (storage/encrypted_batch.h)
// carry no CRC: their GCM tag authenticates the same bytes and the key.
//
// Do not change these layouts; add a new one under a new flag, or bump
// kDataDirFormatVersion.
//
// Thread safety: a RecordBatchReader is not thread-safe.

#ifndef BROOK_STORAGE_RECORD_BATCH_H_
#define BROOK_STORAGE_RECORD_BATCH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "common/coding.h"

namespace brook {

// Bit 62 of a batch's first field: the keyed layout.
inline constexpr uint64_t kKeyedBatchFlag = uint64_t{1} << 62;
// Bit 61: the checksummed form, a CRC32C after the records.
inline constexpr uint64_t kChecksummedBatchFlag = uint64_t{1} << 61;
inline constexpr size_t kBatchChecksumBytes = 4;

struct RecordView {
  absl::string_view partition_key;
  absl::string_view data;
  // The hash key the record was put with, if it was given explicitly.
  absl::optional<absl::uint128> explicit_hash_key;
};

// Appends the encoded batch to `out`: keyed if a record has an explicit
// hash key, plain otherwise, without a checksum. REQUIRES: 0 <= arrival_ms <
// 2^61.
void EncodeRecordBatch(int64_t arrival_ms, absl::Span<const RecordView> records,
                       std::string* out);

// The checksummed form of a plaintext batch stored under `record_key`, as
// pieces that refer to the encoded batch (which must outlive this object),
// so that the store takes the value without copying the records once more.
// Neither copyable nor movable: the pieces point into it.
class ChecksummedBatch {
 public:
  // REQUIRES: `encoded_batch` came from EncodeRecordBatch().
  ChecksummedBatch(absl::string_view record_key,
                   absl::string_view encoded_batch);
  ChecksummedBatch(const ChecksummedBatch&) = delete;
  ChecksummedBatch& operator=(const ChecksummedBatch&) = delete;

  // The stored value: the concatenation of these, in order.
  std::array<absl::string_view, 3> pieces() const {
    return {absl::string_view(&first_byte_, 1), rest_,
            absl::string_view(checksum_.data(), checksum_.size())};
  }
  std::string value() const;

 private:
  char first_byte_;
  absl::string_view rest_;
  std::array<char, kBatchChecksumBytes> checksum_;
};

// VerifyBatchChecksum()
//
// Checks `stored`, a value stored under `record_key` in the checksummed
// form, and returns the batch inside it (for RecordBatchReader::Open()).
// Fails with DataLoss (InternalFailure) if it is not in that form or its
// CRC32C does not match.
absl::StatusOr<absl::string_view> VerifyBatchChecksum(
    absl::string_view record_key, absl::string_view stored);

class RecordBatchReader {
 public:
  // Reads the header of `value` (either layout; a checksummed batch without
  // its checksum, as VerifyBatchChecksum() returns it), which must outlive
  // the reader. Fails with DataLoss if the header is damaged.
  static absl::StatusOr<RecordBatchReader> Open(absl::string_view value);

  int64_t arrival_ms() const { return arrival_ms_; }
  uint64_t count() const { return count_; }

  // Reads the next record into `record`. Returns false after the last one;
  // fails with DataLoss if the batch is damaged.
  absl::StatusOr<bool> Next(RecordView* record);

 private:
  RecordBatchReader(absl::string_view body, int64_t arrival_ms, uint64_t count,
                    bool keyed)
      : body_(body), arrival_ms_(arrival_ms), count_(count), keyed_(keyed) {}

  // The partition key and explicit hash key of a keyed batch's record.
  bool ReadKeyedHeader(RecordView* record);

  Decoder body_;
  int64_t arrival_ms_;
  uint64_t count_;
  bool keyed_;
  uint64_t read_ = 0;
};

}  // namespace brook

#endif  // BROOK_STORAGE_RECORD_BATCH_H_
