// The registry of streams: their persisted descriptions in the meta column
// family and their live StreamStates in memory. Stream ids are allocated
// here, once each, and never reused.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization. Create() and Delete() are serialized with each
// other; lookups never wait for their disk writes.
// Lifetime: `store`, `log` and the key provider must outlive the Catalog.

#ifndef BROOK_CATALOG_CATALOG_H_
#define BROOK_CATALOG_CATALOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/options.h"
#include "brook/streams.h"
#include "catalog/stream_state.h"
#include "storage/shard_log.h"
#include "storage/store.h"

namespace brook {

class Catalog {
 public:
  // `key_provider` unwraps the streams' data keys; nullptr for a catalog
  // whose streams are never encrypted (their encrypted batches then fail
  // to read with DataLoss).
  Catalog(Store* store, const ShardLog* log, const BrokerOptions& options,
          KeyProvider* key_provider = nullptr);

  // Catalog::Load()
  //
  // Reads every stream from the store and restores each shard's visible
  // watermark from its newest batch (up to a damaged one's first counter:
  // see ShardLog::Tail()). Returns the newest arrival time seen
  // (0 if none), so that arrival times keep growing across restarts.
  absl::StatusOr<int64_t> Load(absl::Time now);

  // Catalog::PublishStoredTails()
  //
  // Makes every shard visible up to its newest stored batch, as Load() does:
  // after the store resumed from a full disk, the records whose log sync
  // failed are stored and become readable, in counter order. REQUIRES: no
  // commit is in flight (inside CommitPipeline::RunExclusive()).
  absl::Status PublishStoredTails();

  // Catalog::Create()
  //
  // Persists and registers a new stream whose shards start at
  // `starting_counter`. REQUIRES: the request was validated. Fails with
  // ResourceInUseException (name taken) or LimitExceededException.
  absl::Status Create(const CreateStreamRequest& request,
                      uint64_t starting_counter, absl::Time now);

  // Catalog::UpdateLimits()
  //
  // Persists `limits` as the stream's and applies them from `now` on.
  // REQUIRES: `limits` were validated.
  absl::Status UpdateLimits(const std::shared_ptr<StreamState>& stream,
                            const StreamLimits& limits, absl::Time now);

  // Catalog::Reshard()
  //
  // Persists `after`, the description of `stream` after a reshard that
  // opens `open_shard_delta` more shards than it closes, and applies it.
  // Fails with LimitExceededException (past max_shards open shards) or
  // ResourceNotFoundException (the stream was deleted). REQUIRES: inside the
  // commit pipeline's exclusive section (see StreamState::ApplyReshard()).
  absl::Status Reshard(const std::shared_ptr<StreamState>& stream,
                       const StreamMeta& after, int open_shard_delta,
                       absl::Time now);

  // Catalog::UpdateStreamMode()
  //
  // Persists and applies a switch of `stream` to `mode`, under Kinesis'
  // rules: InvalidArgumentException if it is in that mode already,
  // LimitExceededException for a third switch within 24 hours or past
  // OnDemandOptions::max_streams on-demand streams, ResourceNotFoundException
  // if it was deleted. REQUIRES: the caller holds the stream's reshard turn
  // (StreamState::TryBeginReshard()).
  absl::Status UpdateStreamMode(const std::shared_ptr<StreamState>& stream,
                                StreamMode mode, absl::Time now);

  // Catalog::UpdateTags()
  //
  // Lets `edit` change a copy of the stream's tags, then persists and
  // applies them; if `edit` fails, nothing changes. Serialized with other
  // changes to the stream.
  absl::Status UpdateTags(const std::shared_ptr<StreamState>& stream,
                          absl::FunctionRef<absl::Status(StreamTags&)> edit);

  // Catalog::UpdateRetention()
  //
  // Persists and applies a new retention period. REQUIRES: validated.
  absl::Status UpdateRetention(const std::shared_ptr<StreamState>& stream,
                               int retention_hours);

  // Every live stream, in name order.
  std::vector<std::shared_ptr<StreamState>> All() const;

  // Catalog::WriteForLiveStream()
  //
  // Writes `write`, whose keys belong to `stream`, unless the stream was
  // deleted (ResourceNotFoundException): serialized with Delete(), so that
  // nothing written for a stream outlives its deletion.
  absl::Status WriteForLiveStream(const StreamState& stream,
                                  const StoreWrite& write,
                                  Durability durability);

  // Catalog::Delete()
  //
  // Removes the stream and its records from the store, then marks it
  // deleted. REQUIRES: no commit that writes to it is in flight.
  absl::Status Delete(const std::shared_ptr<StreamState>& stream);

  // Catalog::Find()
  //
  // Resolves a stream name or ARN. Fails with InvalidArgumentException (a
  // malformed name or ARN) or ResourceNotFoundException.
  absl::StatusOr<std::shared_ptr<StreamState>> Find(
      absl::string_view name_or_arn) const;

  // The stream with internal id `id`, or nullptr.
  std::shared_ptr<StreamState> FindById(uint32_t id) const;

  // Up to `limit` streams whose names sort after `exclusive_start_name`, in
  // name order; `*more` tells whether others follow.
  std::vector<std::shared_ptr<StreamState>> ListAfter(
      absl::string_view exclusive_start_name, size_t limit, bool* more) const;

  std::string ArnOf(absl::string_view stream_name) const;

  // Lets `edit` change the stream's settings, then persists them; nothing
  // changes if it fails.
  absl::Status UpdateSettings(
      const std::shared_ptr<StreamState>& stream,
      absl::FunctionRef<absl::Status(StreamSettings&)> edit);

  // Catalog::UpdateEncryption()
  //
  // Lets `edit` change a copy of the stream's encryption, then persists it
  // and applies it; `new_key` is the plaintext of a data key the edit adds
  // as current, if it does. If `edit` fails, nothing changes.
  absl::Status UpdateEncryption(
      const std::shared_ptr<StreamState>& stream,
      absl::FunctionRef<absl::Status(StreamEncryption&)> edit,
      const AesGcmKey* new_key);

  // Persists a new largest record size of `stream` and applies it.
  absl::Status UpdateMaxRecordSize(const std::shared_ptr<StreamState>& stream,
                                   int max_record_size_kib, absl::Time now);

  // Open shards of every stream.
  int open_shard_count() const;
  // Streams in StreamMode::kOnDemand.
  int on_demand_stream_count() const;

 private:
  void Register(std::shared_ptr<StreamState> stream)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Publishes each shard of `stream` up to its newest stored batch; returns
  // the newest arrival time among them (0 if none).
  absl::StatusOr<int64_t> PublishStoredTail(StreamState& stream);
  // Starts the stream-level write limit of an on-demand stream at what its
  // open shards carry (at least the initial rate).
  void StartWriteCapacity(StreamState& stream, absl::Time now) const;
  // LimitExceededException if one more on-demand stream would pass the
  // quota.
  absl::Status CheckOnDemandQuota() const ABSL_LOCKS_EXCLUDED(mu_);

  Store* const store_;
  const ShardLog* const log_;
  const std::string arn_prefix_;
  const int max_shards_;
  const OnDemandOptions on_demand_;
  KeyProvider* const key_provider_;

  // Serializes Create and Delete, whose store writes must not interleave.
  absl::Mutex control_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  uint32_t next_stream_id_ ABSL_GUARDED_BY(control_mu_) = 1;

  mutable absl::Mutex mu_;
  absl::btree_map<std::string, std::shared_ptr<StreamState>> by_name_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint32_t, std::shared_ptr<StreamState>> by_id_
      ABSL_GUARDED_BY(mu_);
  // Open shards of every stream, for max_shards.
  int total_shards_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace brook

#endif  // BROOK_CATALOG_CATALOG_H_
