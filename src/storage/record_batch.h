// The value format of one record batch: a run of consecutive records of one
// shard that one commit appended, sharing one arrival time. Record i of a
// batch keyed by first_counter F has counter F + i.
//
//   arrival_ms:fixed64be  count:varint  { partition_key:lenprefixed
//                                         data:lenprefixed } * count
//
// Do not change this format; bump kDataDirFormatVersion instead.
//
// Thread safety: a RecordBatchReader is not thread-safe.

#ifndef BROOK_STORAGE_RECORD_BATCH_H_
#define BROOK_STORAGE_RECORD_BATCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/coding.h"

namespace brook {

struct RecordView {
  absl::string_view partition_key;
  absl::string_view data;
};

// Appends the encoded batch to `out`.
void EncodeRecordBatch(int64_t arrival_ms, absl::Span<const RecordView> records,
                       std::string* out);

class RecordBatchReader {
 public:
  // Reads the header of `value`, which must outlive the reader. Fails with
  // DataLoss if the header is damaged.
  static absl::StatusOr<RecordBatchReader> Open(absl::string_view value);

  int64_t arrival_ms() const { return arrival_ms_; }
  uint64_t count() const { return count_; }

  // Reads the next record into `record`. Returns false after the last one;
  // fails with DataLoss if the batch is damaged.
  absl::StatusOr<bool> Next(RecordView* record);

 private:
  RecordBatchReader(absl::string_view body, int64_t arrival_ms, uint64_t count)
      : body_(body), arrival_ms_(arrival_ms), count_(count) {}

  Decoder body_;
  int64_t arrival_ms_;
  uint64_t count_;
  uint64_t read_ = 0;
};

}  // namespace brook

#endif  // BROOK_STORAGE_RECORD_BATCH_H_
