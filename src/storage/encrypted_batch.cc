#include "storage/encrypted_batch.h"

#include "absl/strings/str_cat.h"
#include "common/coding.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/keys.h"
#include "storage/record_batch.h"

namespace brook {
namespace {

constexpr char kFormatVersion = '\x01';
// The nonce's random prefix; the first counter follows.
constexpr size_t kNonceRandomBytes = 4;
static_assert(kNonceRandomBytes + 8 == AesGcmKey::kNonceBytes);

struct ParsedEnvelope {
  StoredBatchHeader header;
  absl::string_view header_bytes;  // From the tag to the nonce, exclusive.
  absl::string_view nonce;
  absl::string_view sealed;
};

absl::StatusOr<ParsedEnvelope> ParseEnvelope(absl::string_view value) {
  Decoder decoder(value);
  absl::string_view prefix;
  uint64_t arrival_ms = 0;
  uint64_t count = 0;
  uint64_t generation = 0;
  ParsedEnvelope parsed;
  if (!decoder.ReadBytes(2, &prefix) || prefix[0] != kEncryptedBatchTag ||
      prefix[1] != kFormatVersion || !decoder.ReadFixed64BE(&arrival_ms) ||
      !decoder.ReadVarint64(&count) || count == 0 ||
      !decoder.ReadVarint64(&generation) || generation > UINT32_MAX) {
    return DataLoss("damaged encrypted batch header");
  }
  parsed.header_bytes =
      value.substr(0, value.size() - decoder.remaining().size());
  if (!decoder.ReadBytes(AesGcmKey::kNonceBytes, &parsed.nonce) ||
      decoder.remaining().size() < AesGcmKey::kTagBytes) {
    return DataLoss("truncated encrypted batch");
  }
  parsed.sealed = decoder.remaining();
  parsed.header.arrival_ms = static_cast<int64_t>(arrival_ms);
  parsed.header.count = count;
  parsed.header.key_generation = static_cast<uint32_t>(generation);
  return parsed;
}

std::string AssociatedData(ShardRef shard, uint64_t first_counter,
                           absl::string_view header_bytes) {
  return absl::StrCat(RecordKey(shard, first_counter), header_bytes);
}

}  // namespace

absl::StatusOr<StoredBatchHeader> ReadStoredBatchHeader(
    absl::string_view value) {
  if (IsEncryptedBatch(value)) {
    BROOK_ASSIGN_OR_RETURN(ParsedEnvelope parsed, ParseEnvelope(value));
    return parsed.header;
  }
  BROOK_ASSIGN_OR_RETURN(RecordBatchReader reader,
                         RecordBatchReader::Open(value));
  StoredBatchHeader header;
  header.arrival_ms = reader.arrival_ms();
  header.count = reader.count();
  return header;
}

absl::Status SealRecordBatch(ShardRef shard, uint64_t first_counter,
                             int64_t arrival_ms, uint64_t count,
                             uint32_t key_generation, const AesGcmKey& key,
                             absl::string_view encoded_batch,
                             std::string* out) {
  const size_t start = out->size();
  out->reserve(start + 32 + encoded_batch.size() + AesGcmKey::kTagBytes);
  out->push_back(kEncryptedBatchTag);
  out->push_back(kFormatVersion);
  PutFixed64BE(out, static_cast<uint64_t>(arrival_ms));
  PutVarint64(out, count);
  PutVarint64(out, key_generation);
  const std::string associated_data = AssociatedData(
      shard, first_counter, absl::string_view(*out).substr(start));
  BROOK_ASSIGN_OR_RETURN(std::string nonce, RandomBytes(kNonceRandomBytes));
  PutFixed64BE(&nonce, first_counter);
  out->append(nonce);
  absl::Status sealed = key.Seal(nonce, associated_data, encoded_batch, out);
  if (!sealed.ok()) out->resize(start);
  return sealed;
}

absl::StatusOr<std::string> OpenRecordBatch(ShardRef shard,
                                            uint64_t first_counter,
                                            absl::string_view value,
                                            const BatchKeys& keys) {
  BROOK_ASSIGN_OR_RETURN(ParsedEnvelope parsed, ParseEnvelope(value));
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<const AesGcmKey> key,
                         keys.KeyFor(*parsed.header.key_generation));
  std::string batch;
  if (absl::Status opened =
          key->Open(parsed.nonce,
                    AssociatedData(shard, first_counter, parsed.header_bytes),
                    parsed.sealed, &batch);
      !opened.ok()) {
    return DataLoss(absl::StrCat("encrypted batch at counter ", first_counter,
                                 " of shard ", ShardIdOf(shard.shard_index),
                                 ": ", opened.message()));
  }
  // Authenticated, so the header and the batch agree unless the writer
  // erred; check anyway rather than trust two copies.
  BROOK_ASSIGN_OR_RETURN(RecordBatchReader reader,
                         RecordBatchReader::Open(batch));
  if (reader.arrival_ms() != parsed.header.arrival_ms ||
      reader.count() != parsed.header.count) {
    return DataLoss("an encrypted batch's header disagrees with its records");
  }
  return batch;
}

}  // namespace brook
