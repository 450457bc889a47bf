// The value format of an encrypted record batch: a whole batch, as
// record_batch.h encodes it, sealed with AES-256-GCM (encryption/aes_gcm.h)
// under a data key of its stream.
//
//   tag:1 (=0xE5) version:1 (=1) arrival_ms:fixed64be count:varint
//   key_generation:varint nonce:12 sealed_batch (the batch, then a 16-byte
//   GCM tag)
//
// A plaintext batch opens with its arrival time, whose first byte is below
// 0x80 for every arrival time the writer makes (they are not negative): the
// tag byte tells the two apart, so a shard holds both, as written before
// and after StartStreamEncryption.
//
// The header repeats the batch's arrival time and record count in the
// clear, so that a shard's tail and retention are found without keys (the
// record key and the time index hold counters and arrival times in the
// clear anyway). `key_generation` names which of the stream's data keys
// sealed it (stream metadata holds them, wrapped).
//
// The nonce is 4 random bytes followed by the batch's first counter, which
// is never handed out twice in a data directory's life (see write/
// commit_pipeline.h): nonces cannot repeat under a data key however many
// batches it seals, and the random part keeps them apart across a
// directory restored from a backup and written again.
//
// The associated data is the batch's record key (stream id, shard index,
// first counter; storage/keys.h) followed by the header: a sealed batch
// moved to another key, stream or shard, or with its header changed, fails
// to open (DataLoss) like any changed byte.
//
// Thread safety: pure functions.

#ifndef BROOK_STORAGE_ENCRYPTED_BATCH_H_
#define BROOK_STORAGE_ENCRYPTED_BATCH_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "common/shard_ref.h"
#include "encryption/aes_gcm.h"

namespace brook {

inline constexpr char kEncryptedBatchTag = '\xE5';

// The keys of one stream that stored batches were sealed with, by
// generation. Implemented by encryption/stream_data_keys.h.
class BatchKeys {
 public:
  virtual ~BatchKeys() = default;
  // The data key of `generation`; a KMS error if the master key that wraps
  // it cannot unwrap it now, DataLoss if the stream has no such generation.
  virtual absl::StatusOr<std::shared_ptr<const AesGcmKey>> KeyFor(
      uint32_t generation) const = 0;
};

// What a stored batch's header says, encrypted or not.
struct StoredBatchHeader {
  int64_t arrival_ms = 0;
  uint64_t count = 0;
  // Set for an encrypted batch: the generation of its data key.
  absl::optional<uint32_t> key_generation;
};

inline bool IsEncryptedBatch(absl::string_view value) {
  return !value.empty() && value[0] == kEncryptedBatchTag;
}

// Reads the header of a stored batch of either form; DataLoss if damaged.
absl::StatusOr<StoredBatchHeader> ReadStoredBatchHeader(
    absl::string_view value);

// SealRecordBatch()
//
// Appends to `out` the encrypted form of `encoded_batch`, the batch of
// `count` records arrived at `arrival_ms` that starts at `first_counter` of
// `shard`, sealed with `key` of generation `key_generation`.
absl::Status SealRecordBatch(ShardRef shard, uint64_t first_counter,
                             int64_t arrival_ms, uint64_t count,
                             uint32_t key_generation, const AesGcmKey& key,
                             absl::string_view encoded_batch, std::string* out);

// OpenRecordBatch()
//
// The batch (record_batch.h's encoding) that the encrypted `value`, stored
// at `first_counter` of `shard`, holds. DataLoss if any byte of it was
// changed or it was moved from another position; the error of
// `keys.KeyFor()` if its key cannot be had.
absl::StatusOr<std::string> OpenRecordBatch(ShardRef shard,
                                            uint64_t first_counter,
                                            absl::string_view value,
                                            const BatchKeys& keys);

}  // namespace brook

#endif  // BROOK_STORAGE_ENCRYPTED_BATCH_H_
