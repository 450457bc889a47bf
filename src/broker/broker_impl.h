// The Broker behind brook/broker.h: validates requests, resolves streams in
// the catalog, hands writes to the commit pipeline and serves reads from
// the shard log.
//
// Thread safety: as Broker. Every public method holds `close_mu_` shared for
// its duration and Close() holds it exclusively, so Close() waits for calls
// in progress and later calls fail cleanly.

#ifndef BROOK_BROKER_BROKER_IMPL_H_
#define BROOK_BROKER_BROKER_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "brook/broker.h"
#include "capacity/capacity_controller.h"
#include "catalog/catalog.h"
#include "checkpoints/checkpoint_store.h"
#include "common/token_signer.h"
#include "consumers/consumer_registry.h"
#include "consumers/fan_out.h"
#include "resharding/reshard_planner.h"
#include "retention/retention_trimmer.h"
#include "storage/data_dir.h"
#include "storage/shard_log.h"
#include "storage/store.h"
#include "write/commit_pipeline.h"
#include "write/write_recovery.h"

namespace brook {

class BrokerImpl final : public Broker {
 public:
  static absl::StatusOr<std::unique_ptr<Broker>> Open(
      const BrokerOptions& options, absl::string_view dir);
  // As Open(), with the store on `file_system` (for fault-injection tests).
  static absl::StatusOr<std::unique_ptr<BrokerImpl>> OpenWithFileSystem(
      const BrokerOptions& options, absl::string_view dir,
      const StoreFileSystem& file_system);

  ~BrokerImpl() override;

  absl::Status CreateStream(const CreateStreamRequest& request) override;
  absl::Status DeleteStream(const DeleteStreamRequest& request) override;
  absl::StatusOr<StreamDescription> DescribeStream(
      const DescribeStreamRequest& request) override;
  absl::StatusOr<StreamDescriptionSummary> DescribeStreamSummary(
      const DescribeStreamSummaryRequest& request) override;
  absl::Status IncreaseStreamRetentionPeriod(
      const UpdateStreamRetentionRequest& request) override;
  absl::Status DecreaseStreamRetentionPeriod(
      const UpdateStreamRetentionRequest& request) override;
  absl::Status UpdateMaxRecordSize(
      const UpdateMaxRecordSizeRequest& request) override;
  absl::Status UpdateStreamMode(
      const UpdateStreamModeRequest& request) override;
  absl::StatusOr<EnhancedMonitoringResult> EnableEnhancedMonitoring(
      const EnhancedMonitoringRequest& request) override;
  absl::Status StartStreamEncryption(
      const StreamEncryptionRequest& request) override;
  absl::Status StopStreamEncryption(
      const StreamEncryptionRequest& request) override;
  absl::StatusOr<EnhancedMonitoringResult> DisableEnhancedMonitoring(
      const EnhancedMonitoringRequest& request) override;
  absl::Status PutResourcePolicy(
      const PutResourcePolicyRequest& request) override;
  absl::StatusOr<std::string> GetResourcePolicy(
      absl::string_view resource_arn) override;
  absl::Status DeleteResourcePolicy(absl::string_view resource_arn) override;
  absl::Status UpdateStreamLimits(
      const UpdateStreamLimitsRequest& request) override;
  absl::StatusOr<GetShardMetricsResult> GetShardMetrics(
      const GetShardMetricsRequest& request) override;
  absl::StatusOr<BrokerMetrics> GetBrokerMetrics() override;
  absl::StatusOr<DescribeLimitsResult> DescribeLimits() override;
  absl::StatusOr<ListStreamsResult> ListStreams(
      const ListStreamsRequest& request) override;
  absl::StatusOr<ListShardsResult> ListShards(
      const ListShardsRequest& request) override;
  absl::Status AddTagsToStream(const AddTagsToStreamRequest& request) override;
  absl::Status RemoveTagsFromStream(
      const RemoveTagsFromStreamRequest& request) override;
  absl::StatusOr<ListTagsForStreamResult> ListTagsForStream(
      const ListTagsForStreamRequest& request) override;
  absl::Status TagResource(const TagResourceRequest& request) override;
  absl::Status UntagResource(const UntagResourceRequest& request) override;
  absl::StatusOr<std::vector<Tag>> ListTagsForResource(
      absl::string_view resource_arn) override;
  absl::Status SplitShard(const SplitShardRequest& request) override;
  absl::Status MergeShards(const MergeShardsRequest& request) override;
  absl::StatusOr<UpdateShardCountResult> UpdateShardCount(
      const UpdateShardCountRequest& request) override;
  absl::StatusOr<PutRecordResult> PutRecord(
      const PutRecordRequest& request) override;
  void PutRecordAsync(PutRecordRequest request,
                      PutRecordCallback done) override;
  absl::StatusOr<PutRecordsResult> PutRecords(
      const PutRecordsRequest& request) override;
  absl::StatusOr<PutRecordsResult> PutRecordsInPlace(
      const PutRecordsRequestView& request) override;
  void PutRecordsAsync(PutRecordsRequest request,
                       PutRecordsCallback done) override;
  absl::StatusOr<GetShardIteratorResult> GetShardIterator(
      const GetShardIteratorRequest& request) override;
  absl::StatusOr<GetRecordsResult> GetRecords(
      const GetRecordsRequest& request) override;
  absl::StatusOr<Consumer> RegisterStreamConsumer(
      const RegisterStreamConsumerRequest& request) override;
  absl::Status DeregisterStreamConsumer(const ConsumerRef& ref) override;
  absl::StatusOr<Consumer> DescribeStreamConsumer(
      const ConsumerRef& ref) override;
  absl::StatusOr<ListStreamConsumersResult> ListStreamConsumers(
      const ListStreamConsumersRequest& request) override;
  absl::StatusOr<std::unique_ptr<Subscription>> SubscribeToShard(
      const SubscribeToShardRequest& request,
      SubscriptionHandler* handler) override;
  absl::Status PutCheckpoint(const PutCheckpointRequest& request) override;
  absl::StatusOr<GetCheckpointsResult> GetCheckpoints(
      const GetCheckpointsRequest& request) override;
  absl::Status DeleteCheckpoints(
      const DeleteCheckpointsRequest& request) override;
  absl::StatusOr<BackupResult> Backup(const BackupRequest& request) override;
  WriteState GetWriteState() const override;
  std::string Endpoint() const override { return ""; }
  absl::Status Close() override;

  // Runs a retention pass now, on the calling thread; returns whether it
  // removed any record.
  absl::StatusOr<bool> TEST_TrimNow() { return trimmer_->TrimAll(); }

  // Runs a round of write recovery now, on the calling thread (see
  // write/write_recovery.h).
  absl::Status TEST_CheckDiskNow() { return recovery_->CheckNow(); }

  // Waits for the store's running flushes and compactions to end.
  absl::Status TEST_WaitForBackgroundWork() {
    return store_->TEST_WaitForBackgroundWork();
  }

  // Runs a check of the on-demand streams' scaling controller now, on the
  // calling thread (see capacity/capacity_controller.h).
  absl::Status TEST_CheckCapacityNow() { return capacity_->Check(); }

  // Runs `hook` in every later reshard, while the stream is UPDATING and
  // before the reshard changes anything. Set it before resharding.
  void TEST_SetReshardHook(absl::AnyInvocable<void()> hook) {
    reshard_hook_ = std::move(hook);
  }

  // Stops every thread and releases the directory without flushing, leaving
  // the files as a crash of the process would. Later calls fail as after
  // Close().
  void TEST_SimulateCrash();

 private:
  // Moves every shard's trim point past the records older than the
  // stream's retention period now.
  absl::Status HideExpired(const StreamState& stream) const;
  // Enable (`enable`) or disable shard-level metrics.
  absl::StatusOr<EnhancedMonitoringResult> UpdateMonitoring(
      const EnhancedMonitoringRequest& request, bool enable);
  // A stream or a consumer, named by its ARN in the ARN-addressed
  // operations (tags and resource policies): exactly one is set.
  struct Resource {
    std::shared_ptr<StreamState> stream;
    std::shared_ptr<ConsumerState> consumer;
  };
  // The preamble, then the stream or consumer `resource_arn` names.
  absl::StatusOr<Resource> ResolveResource(const absl::Status& valid,
                                           absl::string_view resource_arn) const
      ABSL_SHARED_LOCKS_REQUIRED(close_mu_);
  // The resource's tags, or resource policy.
  StreamTags TagsOf(const Resource& resource) const;
  absl::optional<std::string> PolicyOf(const Resource& resource) const;
  // Let `edit` change a copy of the resource's tags, or resource policy,
  // then persist and apply them, stored with the stream or the consumer;
  // if `edit` fails, nothing changes.
  absl::Status UpdateTags(const Resource& resource,
                          absl::FunctionRef<absl::Status(StreamTags&)> edit);
  absl::Status UpdatePolicy(
      const Resource& resource,
      absl::FunctionRef<absl::Status(absl::optional<std::string>&)> edit);
  // Start (`start`) or stop encrypting the records written to a stream.
  absl::Status UpdateEncryption(const StreamEncryptionRequest& request,
                                bool start);
  // Increase (`increase`) or decrease the retention period.
  absl::Status UpdateRetention(const UpdateStreamRetentionRequest& request,
                               bool increase);

  BrokerImpl(const BrokerOptions& options, std::unique_ptr<DataDirLock> lock,
             std::unique_ptr<Store> store);

  absl::Status Start() ABSL_EXCLUSIVE_LOCKS_REQUIRED(close_mu_);
  absl::Status CheckOpen() const ABSL_SHARED_LOCKS_REQUIRED(close_mu_);
  // Marks the Broker closed and joins its threads (queued puts commit).
  void StopThreads() ABSL_EXCLUSIVE_LOCKS_REQUIRED(close_mu_);
  // The preamble of every operation, in Kinesis' order of checks: the
  // request's own checks (`valid`, from broker/validation.h), then that the
  // Broker is open. The operation then resolves what the request names and
  // checks the state.
  absl::Status Preamble(const absl::Status& valid) const
      ABSL_SHARED_LOCKS_REQUIRED(close_mu_);
  // The preamble, then the stream `name_or_arn`.
  absl::StatusOr<std::shared_ptr<StreamState>> ResolveStream(
      const absl::Status& valid, absl::string_view name_or_arn) const
      ABSL_SHARED_LOCKS_REQUIRED(close_mu_);
  // ResourceNotFoundException if `creation` is set and is not when
  // `stream` was created: the name is of another stream now.
  absl::Status CheckCreation(const StreamState& stream,
                             const absl::optional<absl::Time>& creation) const;
  // The preamble, then the consumer `ref`.
  absl::StatusOr<std::shared_ptr<ConsumerState>> ResolveConsumer(
      const absl::Status& valid, const ConsumerRef& ref) const
      ABSL_SHARED_LOCKS_REQUIRED(close_mu_);

  // A request-level error, or one outcome per record.
  using OutcomesCallback =
      absl::AnyInvocable<void(absl::StatusOr<std::vector<RecordOutcome>>) &&>;

  // Resolves the stream after `valid` and routes `records`; nothing is
  // queued on error.
  absl::StatusOr<WriteRequest> PreparePuts(
      const absl::Status& valid, absl::string_view stream_ref,
      absl::Span<const PutRecordsEntryView> records,
      const absl::optional<SequenceNumber>& ordering) const
      ABSL_SHARED_LOCKS_REQUIRED(close_mu_);
  // Takes write tokens for each record of `request`, removing the records
  // their shard refuses; returns per original record OK (admitted) or
  // ProvisionedThroughputExceededException.
  std::vector<absl::Status> AdmitWrites(WriteRequest& request);
  // Prepares, admits and queues `records`, then calls `done` once: inline with
  // a validation error, or on the sync thread with the outcomes. The bytes
  // behind `records` must stay valid until `done` runs.
  void Enqueue(const absl::Status& valid, absl::string_view stream_ref,
               absl::Span<const PutRecordsEntryView> records,
               const absl::optional<SequenceNumber>& ordering,
               OutcomesCallback done);
  // The puts, given requests that outlive `done`.
  void PutRecordsUnowned(const PutRecordsRequestView& request,
                         PutRecordsCallback done);
  void PutRecordUnowned(const PutRecordRequest& request,
                        PutRecordCallback done);

  // The index of a shard of `stream`: ResourceNotFoundException if it has
  // none with that id.
  absl::StatusOr<uint32_t> ShardIndexOf(const StreamState& stream,
                                        absl::string_view shard_id) const;
  // The shard, if it exists and has not expired.
  absl::StatusOr<ShardState*> FindShard(const StreamState& stream,
                                        absl::string_view shard_id) const;
  // ProvisionedThroughputExceededException for a record or a GetRecords
  // call over a shard's limit. Its message names the shard, the stream and
  // the account, as Kinesis' does (PutRecordsResultEntry in the API
  // reference).
  absl::Status ShardRateExceeded(const StreamState& stream,
                                 uint32_t shard_index) const;
  // InvalidArgumentException naming `operation` if `stream` is on-demand,
  // which reshards itself.
  absl::Status RefuseOnDemand(const StreamState& stream,
                              absl::string_view operation) const;
  // Begins a reshard of `stream` (ResourceInUseException if one is running),
  // lets `plan` plan it, and applies the plan in one atomic step. Called
  // with `close_mu_` held, or by the scaling controller, which Close()
  // stops before anything the reshard uses.
  absl::Status Reshard(const std::shared_ptr<StreamState>& stream,
                       absl::FunctionRef<absl::Status(ReshardPlanner&)> plan);
  // Whether `number` can be of a record of `shard`: its shard, within the
  // shard's counters, and handed out already.
  bool IsNumberOfShard(const ShardState& shard, SequenceNumber number) const;
  // The counter a reader starting at `position` reads first.
  absl::StatusOr<uint64_t> StartingCounter(
      const ShardState& shard, const StartingPosition& position) const;
  // The same, before the trim point is applied.
  absl::StatusOr<uint64_t> UntrimmedStartingCounter(
      const ShardState& shard, const StartingPosition& position) const;
  std::string SealIterator(ShardRef shard, uint64_t counter) const;
  // The payload of a pagination token of `kind`; fails with
  // InvalidArgumentException or, after 300 seconds,
  // ExpiredNextTokenException.
  absl::StatusOr<std::string> OpenNextToken(TokenKind kind,
                                            absl::string_view token) const;

  const BrokerOptions options_;
  Clock* const clock_;

  mutable absl::Mutex close_mu_;
  bool closed_ ABSL_GUARDED_BY(close_mu_) = false;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ShardLog> log_;
  // Unwraps the streams' data keys; before the catalog, which uses it.
  const std::shared_ptr<KeyProvider> key_provider_;
  // Before the pipeline, which adds to it, and the catalog, whose shards'
  // tails it may outlive.
  std::unique_ptr<TailCache> tail_cache_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<TokenSigner> signer_;
  std::unique_ptr<CommitPipeline> pipeline_;
  std::unique_ptr<ConsumerRegistry> consumers_;
  std::unique_ptr<FanOutService> fan_out_;
  std::unique_ptr<RetentionTrimmer> trimmer_;
  std::unique_ptr<CheckpointStore> checkpoints_;
  std::unique_ptr<WriteRecovery> recovery_;
  std::unique_ptr<CapacityController> capacity_;
  absl::AnyInvocable<void()> reshard_hook_;
};

}  // namespace brook

#endif  // BROOK_BROKER_BROKER_IMPL_H_
