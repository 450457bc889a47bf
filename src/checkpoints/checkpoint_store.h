// Applications' checkpoints, in the meta column family (layouts in
// storage/keys.h and storage/meta_values.h): a local stream's under its
// stream id, so that deleting the stream deletes them too; a remote
// stream's (one another Broker serves, brook/checkpoints.h) under its
// endpoint and name, kept until DeleteRemote().
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: `store` and `catalog` must outlive the CheckpointStore.

#ifndef BROOK_CHECKPOINTS_CHECKPOINT_STORE_H_
#define BROOK_CHECKPOINTS_CHECKPOINT_STORE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/checkpoints.h"
#include "brook/options.h"
#include "catalog/catalog.h"
#include "storage/keys.h"
#include "storage/store.h"

namespace brook {

class CheckpointStore {
 public:
  CheckpointStore(Store* store, Catalog* catalog, Durability durability);

  // CheckpointStore::Put()
  //
  // Records that `application` processed `shard` up to `counter` (and
  // `sub_sequence`), or to its end. Durable per the durability mode when it
  // returns. Fails with ResourceNotFoundException if the stream was deleted,
  // and as Store::Write() does.
  // REQUIRES: validated (the counter is one of the shard's; a shard end is
  // of a closed shard).
  absl::Status Put(const StreamState& stream, absl::string_view application,
                   const ShardState& shard, uint64_t counter,
                   int64_t sub_sequence, bool shard_end);

  // The application's checkpoints in `stream`, in shard order.
  absl::StatusOr<std::vector<Checkpoint>> List(
      const StreamState& stream, absl::string_view application) const;

  // Removes the application's checkpoints in `stream`, durably.
  absl::Status Delete(const StreamState& stream, absl::string_view application);

  // CheckpointStore::PutRemote()
  //
  // As Put(), for a remote stream: `checkpoint` is stored as given.
  // REQUIRES: validated (well-formed shard id and sequence number).
  absl::Status PutRemote(RemoteStreamKey stream, absl::string_view application,
                         const Checkpoint& checkpoint);

  // The application's checkpoints in a remote stream, in shard-id order.
  absl::StatusOr<std::vector<Checkpoint>> ListRemote(
      RemoteStreamKey stream, absl::string_view application) const;

  absl::Status DeleteRemote(RemoteStreamKey stream,
                            absl::string_view application);

 private:
  Store* const store_;
  Catalog* const catalog_;
  const Durability durability_;
};

}  // namespace brook

#endif  // BROOK_CHECKPOINTS_CHECKPOINT_STORE_H_
