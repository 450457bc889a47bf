#include "encryption/stream_data_keys.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook {

void StreamDataKeys::Restore(KeyProvider* provider, StreamEncryption stored) {
  absl::MutexLock lock(&mu_);
  provider_ = provider;
  stored_ = std::move(stored);
}

StreamEncryption StreamDataKeys::stored() const {
  absl::ReaderMutexLock lock(&mu_);
  return stored_;
}

EncryptionType StreamDataKeys::encryption_type() const {
  absl::ReaderMutexLock lock(&mu_);
  return stored_.current.has_value() ? EncryptionType::kKms
                                     : EncryptionType::kNone;
}

std::string StreamDataKeys::key_id() const {
  absl::ReaderMutexLock lock(&mu_);
  if (!stored_.current.has_value()) return "";
  const StoredDataKey* key = Find(*stored_.current);
  return key != nullptr ? key->key_id : "";
}

const StoredDataKey* StreamDataKeys::Find(uint32_t generation) const {
  for (const StoredDataKey& key : stored_.keys) {
    if (key.generation == generation) return &key;
  }
  return nullptr;
}

absl::Status StreamDataKeys::PrepareWrites() const {
  absl::optional<uint32_t> current;
  {
    absl::ReaderMutexLock lock(&mu_);
    current = stored_.current;
  }
  if (!current.has_value()) return absl::OkStatus();
  return KeyFor(*current).status();
}

absl::StatusOr<absl::optional<SealingKey>> StreamDataKeys::WriteKey() const {
  absl::ReaderMutexLock lock(&mu_);
  if (!stored_.current.has_value()) return absl::nullopt;
  auto it = unwrapped_.find(*stored_.current);
  if (it == unwrapped_.end()) {
    return MakeError(ErrorName::kKMSInvalidStateException,
                     "the stream's data key is not available to seal records");
  }
  return SealingKey{*stored_.current, it->second};
}

void StreamDataKeys::Apply(StreamEncryption stored, const AesGcmKey* new_key) {
  absl::MutexLock lock(&mu_);
  stored_ = std::move(stored);
  if (new_key != nullptr && stored_.current.has_value()) {
    unwrapped_[*stored_.current] = std::make_shared<const AesGcmKey>(*new_key);
  }
}

absl::StatusOr<std::shared_ptr<const AesGcmKey>> StreamDataKeys::KeyFor(
    uint32_t generation) const {
  StoredDataKey wrapped;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = unwrapped_.find(generation);
    if (it != unwrapped_.end()) return it->second;
    const StoredDataKey* stored = Find(generation);
    if (stored == nullptr || provider_ == nullptr) {
      return DataLoss(absl::StrCat("a batch names data key generation ",
                                   generation,
                                   ", which the stream does not have"));
    }
    wrapped = *stored;
  }
  // The provider may touch files or the network: not under the lock. Two
  // readers may both unwrap; they get the same key.
  BROOK_ASSIGN_OR_RETURN(
      std::string plaintext,
      provider_->DecryptDataKey(wrapped.key_id, wrapped.wrapped));
  absl::StatusOr<AesGcmKey> key = AesGcmKey::FromBytes(plaintext);
  if (!key.ok()) {
    return MakeError(ErrorName::kKMSInvalidStateException,
                     "the key provider returned a data key of a wrong size");
  }
  auto shared = std::make_shared<const AesGcmKey>(*std::move(key));
  absl::MutexLock lock(&mu_);
  return unwrapped_.try_emplace(generation, std::move(shared)).first->second;
}

}  // namespace brook
