// -----------------------------------------------------------------------------
// File: brook/encryption.h
// -----------------------------------------------------------------------------
//
// Server-side encryption at rest, as Kinesis' StartStreamEncryption: once a
// stream is encrypted, every record batch written to it is stored sealed
// with AES-256-GCM under the stream's data key, and reads open it
// transparently. The data key is made by a `KeyProvider` under a master key
// the caller names, and stored only wrapped (encrypted) by that master key,
// in the stream's metadata. docs/encryption.md has the threat model.
//
// Key ids name master keys in Kinesis' four forms (the API reference of
// StartStreamEncryption, "KeyId"):
//   key id     "12345678-1234-1234-1234-123456789012"
//   key ARN    "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-..."
//   alias      "alias/MyAliasName", and "alias/aws/kinesis", the master key
//              owned by the stream service (made on first use)
//   alias ARN  "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName"
//
// Thread safety: the request structs are plain values. A KeyProvider is
// called from any thread, concurrently; implementations must be safe for
// that. KeyDirectory is.

#ifndef BROOK_ENCRYPTION_H_
#define BROOK_ENCRYPTION_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace brook {

// How a record is stored, and how a stream stores the records written to
// it, as Kinesis' EncryptionType.
enum class EncryptionType { kNone, kKms };

// "NONE" or "KMS", as Kinesis spells them.
absl::string_view EncryptionTypeToString(EncryptionType type);

// For StartStreamEncryption and StopStreamEncryption.
struct StreamEncryptionRequest {
  std::string stream;  // Name or ARN.
  // Must be kKms (Kinesis' only encryption type).
  EncryptionType encryption_type = EncryptionType::kKms;
  // The master key, in one of the forms above; 1 to 2,048 characters.
  std::string key_id;
};

// A data key: 32 bytes to seal records with, and the same bytes wrapped by
// a master key, which is all that is stored.
struct DataKey {
  std::string plaintext;
  std::string wrapped;
};

// The source of master keys: the counterpart of AWS KMS's GenerateDataKey
// and Decrypt. Errors carry Kinesis' KMS names (brook/error.h):
// KMSNotFoundException (no such key), KMSDisabledException,
// KMSInvalidStateException (the key cannot do what is asked, e.g. unwrap a
// data key it did not wrap), KMSAccessDeniedException,
// KMSThrottlingException.
class KeyProvider {
 public:
  virtual ~KeyProvider() = default;

  // KeyProvider::GenerateDataKey()
  //
  // A new random 32-byte data key, and its wrapping under the master key
  // `key_id` (any form above).
  virtual absl::StatusOr<DataKey> GenerateDataKey(absl::string_view key_id) = 0;

  // KeyProvider::DecryptDataKey()
  //
  // The plaintext of `wrapped`, which GenerateDataKey(`key_id`) returned,
  // possibly long ago and before the master key was rotated.
  virtual absl::StatusOr<std::string> DecryptDataKey(
      absl::string_view key_id, absl::string_view wrapped) = 0;
};

// The default KeyProvider: master keys in files of a key directory, which
// belongs beside the data directory, not inside it (a copy of the data
// directory then holds no key). Each master key is a file of 0600 mode,
// written durably (to a temporary file, synced, renamed, directory synced).
// A master key has versions of key material: Rotate() adds one, used for
// every data key wrapped from then on, while older versions still unwrap
// what they wrapped. Disable() makes a key refuse both (KMSDisabledException)
// until Enable(); deleting its file makes it KMSNotFoundException.
// The directory and `alias/aws/kinesis` are created on first use.
//
// Thread safety: safe for concurrent use. Two processes must not share one
// key directory.
class KeyDirectory : public KeyProvider {
 public:
  // `path` need not exist yet. `region` and `account_id` are those of the
  // key ARNs it accepts and reports.
  KeyDirectory(std::string path, std::string region, std::string account_id);

  // KeyDirectory::CreateKey()
  //
  // Makes a new master key and returns its key id (a UUID).
  absl::StatusOr<std::string> CreateKey();

  // KeyDirectory::CreateAlias()
  //
  // Points `alias` ("alias/" followed by letters, digits, '/', '_', '-'; not
  // "alias/aws/...", which are the service's) at the key `key_id`.
  // InvalidArgumentException for a bad alias or one that exists,
  // KMSNotFoundException for no such key.
  absl::Status CreateAlias(absl::string_view alias, absl::string_view key_id);

  // KeyDirectory::Disable() / Enable() / Rotate()
  //
  // Change the key `key_id` (any form); KMSNotFoundException if it does not
  // exist.
  absl::Status Disable(absl::string_view key_id);
  absl::Status Enable(absl::string_view key_id);
  absl::Status Rotate(absl::string_view key_id);

  // KeyDirectory::KeyArnOf()
  //
  // The ARN of the key `key_id` names (any form), following aliases.
  absl::StatusOr<std::string> KeyArnOf(absl::string_view key_id);

  absl::StatusOr<DataKey> GenerateDataKey(absl::string_view key_id) override;
  absl::StatusOr<std::string> DecryptDataKey(
      absl::string_view key_id, absl::string_view wrapped) override;

 private:
  struct MasterKey;

  // The UUID `key_id` names, following an alias; creates alias/aws/kinesis
  // if `create_service_key` and it is named and missing.
  absl::StatusOr<std::string> ResolveLocked(absl::string_view key_id,
                                            bool create_service_key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<MasterKey> LoadLocked(absl::string_view uuid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StoreLocked(const MasterKey& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> CreateKeyLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteAliasLocked(absl::string_view alias, absl::string_view uuid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SetEnabled(absl::string_view key_id, bool enabled);

  const std::string path_;
  const std::string arn_prefix_;  // "arn:aws:kms:<region>:<account>:"
  absl::Mutex mu_;
};

}  // namespace brook

#endif  // BROOK_ENCRYPTION_H_
