// The data keys of one stream, live: which one seals the batches written
// now, and every one that sealed batches still stored, unwrapped on demand
// through the Broker's KeyProvider (brook/encryption.h) and then kept in
// memory for the life of the stream.
//
// Writes never wait on the provider on the commit thread: a put first calls
// PrepareWrites() on its own thread, which unwraps the current data key if
// it is not in memory yet (a KMS error then fails the put, before anything
// is queued); StartStreamEncryption hands in the new key it made. So the
// commit stage finds the current key in memory (WriteKey()).
//
// Thread safety: safe for concurrent use. Apply() is serialized by its
// caller (the catalog) with other changes to the stream.

#ifndef BROOK_ENCRYPTION_STREAM_DATA_KEYS_H_
#define BROOK_ENCRYPTION_STREAM_DATA_KEYS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "brook/encryption.h"
#include "encryption/aes_gcm.h"
#include "storage/encrypted_batch.h"
#include "storage/meta_values.h"

namespace brook {

// The data key that seals new batches, with its generation.
struct SealingKey {
  uint32_t generation = 0;
  std::shared_ptr<const AesGcmKey> key;
};

class StreamDataKeys : public BatchKeys {
 public:
  StreamDataKeys() = default;
  StreamDataKeys(const StreamDataKeys&) = delete;
  StreamDataKeys& operator=(const StreamDataKeys&) = delete;

  // Takes the stored state of the stream and the provider that unwraps its
  // keys (not owned; must outlive this). Before the stream is shared.
  void Restore(KeyProvider* provider, StreamEncryption stored);

  // The persisted form as it is now.
  StreamEncryption stored() const;

  // How new batches are stored, and the master key's id as it was named
  // (empty with kNone).
  EncryptionType encryption_type() const;
  std::string key_id() const;

  // StreamDataKeys::PrepareWrites()
  //
  // Makes sure that WriteKey() finds the current data key in memory,
  // unwrapping it if needed: the provider's KMS error if it cannot.
  absl::Status PrepareWrites() const;

  // StreamDataKeys::WriteKey()
  //
  // The key that seals a batch written now; nullopt to store it in
  // plaintext. KMSInvalidStateException if the stream encrypts but its key
  // is not in memory (PrepareWrites() was not called): never a silent
  // fallback to plaintext.
  absl::StatusOr<absl::optional<SealingKey>> WriteKey() const;

  // StreamDataKeys::Apply()
  //
  // Makes `stored` the stream's state (after it was persisted). `new_key`,
  // if given, is the plaintext of a generation `stored` adds.
  void Apply(StreamEncryption stored, const AesGcmKey* new_key);

  absl::StatusOr<std::shared_ptr<const AesGcmKey>> KeyFor(
      uint32_t generation) const override;

 private:
  const StoredDataKey* Find(uint32_t generation) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  KeyProvider* provider_ = nullptr;
  mutable absl::Mutex mu_;
  StreamEncryption stored_ ABSL_GUARDED_BY(mu_);
  // The keys unwrapped so far, by generation.
  mutable absl::flat_hash_map<uint32_t, std::shared_ptr<const AesGcmKey>>
      unwrapped_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_ENCRYPTION_STREAM_DATA_KEYS_H_
