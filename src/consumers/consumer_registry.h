// Enhanced fan-out consumers registered with streams: their persisted
// records in the meta column family (layouts in storage/keys.h and
// storage/meta_values.h), which hold their tags and resource policies too,
// and their live ConsumerStates.
//
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.
// Lifetime: `store` and `catalog` must outlive the registry.

#ifndef BROOK_CONSUMERS_CONSUMER_REGISTRY_H_
#define BROOK_CONSUMERS_CONSUMER_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/consumers.h"
#include "brook/streams.h"
#include "catalog/catalog.h"
#include "storage/meta_values.h"
#include "storage/store.h"

namespace brook {

class ConsumerState {
 public:
  ConsumerState(uint32_t stream_id, std::string name, ConsumerMeta meta,
                std::string stream_arn);

  // Unique among all consumers of this process, registered again or not.
  uint64_t id() const { return id_; }
  uint32_t stream_id() const { return stream_id_; }
  const std::string& name() const { return name_; }
  const std::string& arn() const { return arn_; }
  Consumer Describe() const;
  // Its creation time, tags and resource policy, as last stored.
  ConsumerMeta meta() const ABSL_LOCKS_EXCLUDED(mu_);

  bool deleted() const { return deleted_.load(); }
  void MarkDeleted() { deleted_.store(true); }

 private:
  friend class ConsumerRegistry;
  void set_meta(ConsumerMeta meta) ABSL_LOCKS_EXCLUDED(mu_);

  const uint64_t id_;
  const uint32_t stream_id_;
  const std::string name_;
  const int64_t creation_ms_;
  const std::string stream_arn_;
  const std::string arn_;
  std::atomic<bool> deleted_{false};
  mutable absl::Mutex mu_;
  ConsumerMeta meta_ ABSL_GUARDED_BY(mu_);
};

class ConsumerRegistry {
 public:
  ConsumerRegistry(Store* store, Catalog* catalog,
                   int max_consumers_per_stream);

  // Reads every consumer of every stream in the catalog.
  absl::Status Load();

  // Registers `name` with `tags` (validated). Fails with
  // ResourceInUseException (name taken) or LimitExceededException (the
  // stream has its maximum).
  absl::StatusOr<std::shared_ptr<ConsumerState>> Register(
      const StreamState& stream, const std::string& name,
      const std::vector<Tag>& tags, absl::Time now);

  // Applies `update` to a copy of the consumer's tags and policy and
  // stores the result with the consumer. Fails with `update`'s error, or
  // ResourceNotFoundException if the consumer was deregistered or its
  // stream deleted meanwhile; nothing changes then.
  absl::Status Update(const std::shared_ptr<ConsumerState>& consumer,
                      absl::FunctionRef<absl::Status(ConsumerMeta&)> update);

  // Removes the consumer from the store and marks it deleted.
  absl::Status Deregister(const std::shared_ptr<ConsumerState>& consumer);

  // Resolves a ConsumerRef: an ARN, or a stream and a name. Fails with
  // InvalidArgumentException (a malformed ARN) or ResourceNotFoundException.
  // REQUIRES: a consumer name, when given, was validated.
  absl::StatusOr<std::shared_ptr<ConsumerState>> Find(
      const ConsumerRef& ref) const;

  // The stream's consumers in name order, after `exclusive_start_name`.
  std::vector<std::shared_ptr<ConsumerState>> List(
      uint32_t stream_id, absl::string_view exclusive_start_name, size_t limit,
      bool* more) const;
  int CountFor(uint32_t stream_id) const;

  // Forgets the consumers of a deleted stream (the catalog deleted their
  // keys with it), marks them deleted and returns them.
  std::vector<std::shared_ptr<ConsumerState>> ForgetStream(uint32_t stream_id);

 private:
  using StreamConsumers =
      absl::btree_map<std::string, std::shared_ptr<ConsumerState>>;

  absl::StatusOr<std::shared_ptr<ConsumerState>> FindInStream(
      uint32_t stream_id, absl::string_view name) const;

  Store* const store_;
  Catalog* const catalog_;
  const int max_consumers_per_stream_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint32_t, StreamConsumers> by_stream_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_CONSUMERS_CONSUMER_REGISTRY_H_
