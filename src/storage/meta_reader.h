// Reading the meta column family: streams, consumers, checkpoints and the
// single values (counter reservation, next stream id, token key), decoded
// from the layouts of storage/keys.h and storage/meta_values.h.
// StoreWrite's Put*/Delete* methods write them.
//
// Every read fails with DataLoss (kDataLoss, InternalFailure) when a key or
// value it meets is damaged, and with InternalFailure on an I/O error.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: `store` must outlive the MetaReader.

#ifndef BROOK_STORAGE_META_READER_H_
#define BROOK_STORAGE_META_READER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "brook/limits.h"
#include "storage/keys.h"
#include "storage/meta_values.h"
#include "storage/store.h"

namespace brook {

// A stream as stored: its description, and its limits, tags and settings
// (defaults when none were stored).
struct StoredStream {
  StreamMeta meta;
  StreamLimits limits;
  StreamTags tags;
  StreamSettings settings;
  StreamEncryption encryption;
};

struct StoredConsumer {
  uint32_t stream_id = 0;
  std::string name;
  ConsumerMeta meta;
};

class MetaReader {
 public:
  explicit MetaReader(Store* store) : store_(store) {}

  // Every stored stream, in stream id order.
  absl::StatusOr<std::vector<StoredStream>> Streams() const;

  // Every stored consumer, by stream id and name.
  absl::StatusOr<std::vector<StoredConsumer>> Consumers() const;

  // The application's checkpoints in the stream, by shard index.
  absl::StatusOr<std::vector<std::pair<uint32_t, StoredCheckpoint>>>
  Checkpoints(uint32_t stream_id, absl::string_view application) const;

  // An application's checkpoints of a remote stream, by shard id.
  absl::StatusOr<std::vector<std::pair<std::string, StoredRemoteCheckpoint>>>
  RemoteCheckpoints(RemoteStreamKey stream,
                    absl::string_view application) const;

  // How many checkpoints of remote streams are kept; DataLoss at the first
  // damaged key or value.
  absl::StatusOr<int> CountRemoteCheckpoints() const;

  // Every checkpoint of every application in the stream, by application
  // and shard index.
  struct ApplicationCheckpoint {
    std::string application;
    uint32_t shard_index = 0;
    StoredCheckpoint checkpoint;
  };
  absl::StatusOr<std::vector<ApplicationCheckpoint>> AllCheckpoints(
      uint32_t stream_id) const;

  // The single values; nullopt when never written.
  absl::StatusOr<absl::optional<uint64_t>> CounterReservation() const;
  absl::StatusOr<absl::optional<uint32_t>> NextStreamId() const;
  absl::StatusOr<absl::optional<std::string>> TokenKey() const;

 private:
  Store* const store_;
};

}  // namespace brook

#endif  // BROOK_STORAGE_META_READER_H_
