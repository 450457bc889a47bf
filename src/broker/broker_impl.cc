#include "broker/broker_impl.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "broker/shard_listing.h"
#include "broker/validation.h"
#include "catalog/shard_reader.h"
#include "common/coding.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "common/uint128.h"
#include "encryption/aes_gcm.h"
#include "routing/hash_key.h"
#include "storage/backup.h"
#include "storage/meta_reader.h"

namespace brook {
namespace {

// Kinesis' fixed lifetimes of iterators and pagination tokens.
constexpr absl::Duration kIteratorLifetime = absl::Minutes(5);
constexpr absl::Duration kNextTokenLifetime = absl::Seconds(300);
// Kinesis returns at most this many streams or shards per Describe/List page.
constexpr int kMaxStreamsPerPage = 100;
constexpr int kMaxShardsPerDescribe = 100;

std::string EncodeShardPosition(ShardRef shard, uint64_t counter) {
  std::string payload;
  PutFixed32BE(&payload, shard.stream_id);
  PutFixed32BE(&payload, shard.shard_index);
  PutFixed64BE(&payload, counter);
  return payload;
}

StreamStatus StatusOf(const StreamState& stream) {
  return stream.resharding() ? StreamStatus::kUpdating : StreamStatus::kActive;
}

uint32_t MetricsMaskOf(const std::vector<std::string>& names) {
  uint32_t mask = 0;
  for (const std::string& name : names) {
    for (size_t bit = 0; bit < std::size(kShardLevelMetrics); ++bit) {
      if (name == "ALL" || name == kShardLevelMetrics[bit]) mask |= 1u << bit;
    }
  }
  return mask;
}

std::vector<std::string> MetricNamesOf(uint32_t mask) {
  std::vector<std::string> names;
  for (size_t bit = 0; bit < std::size(kShardLevelMetrics); ++bit) {
    if (mask & (1u << bit)) names.emplace_back(kShardLevelMetrics[bit]);
  }
  return names;
}

// ResourceInUseException: `stream` is UPDATING, being resharded or
// switching its mode.
absl::Status StreamUpdating(const StreamState& stream) {
  return ResourceInUse(absl::StrCat("stream '", stream.name(),
                                    "' is UPDATING: another reshard or mode "
                                    "switch of it is in progress"));
}

// Fills the fields that StreamDescription and StreamDescriptionSummary share.
template <typename Description>
void DescribeCommonFields(const StreamState& stream, Description* out) {
  out->stream_name = stream.name();
  out->stream_arn = stream.arn();
  out->stream_status = StatusOf(stream);
  out->stream_creation_timestamp = absl::FromUnixMillis(stream.creation_ms());
  out->retention_period_hours = stream.retention_hours();
  out->max_record_size_kib = stream.max_record_size_kib();
  out->stream_mode = stream.stream_mode();
  out->shard_level_metrics =
      MetricNamesOf(stream.settings().shard_level_metrics);
  out->encryption_type = stream.keys().encryption_type();
  out->key_id = stream.keys().key_id();
}

// The page of `shards` (in shard-id order) after `exclusive_start` (a
// shard id in any form ParseShardId reads), of at most `max` shards;
// `*more` tells whether others follow.
std::vector<Shard> PageOfShards(const std::vector<const ShardState*>& shards,
                                absl::string_view exclusive_start, int max,
                                bool* more) {
  auto it = shards.begin();
  if (!exclusive_start.empty()) {
    const std::string start = CanonicalShardId(exclusive_start);
    it = std::find_if(shards.begin(), shards.end(),
                      [&](const ShardState* shard) {
                        return ShardIdOf(shard->index()) > start;
                      });
  }
  std::vector<Shard> page;
  for (; it != shards.end() && page.size() < static_cast<size_t>(max); ++it) {
    page.push_back(DescribeShard(**it));
  }
  *more = it != shards.end();
  return page;
}

// Whether `given_ms` names the instant `actual_ms` at the precision it was
// given in: whole seconds match any millisecond of that second (the AWS CLI
// sends the epoch seconds without a fraction), tenths any of that tenth...
// as Kinesis accepts the timestamp its own DescribeStreamSummary printed,
// truncated.
bool SameAtPrecisionGiven(int64_t given_ms, int64_t actual_ms) {
  for (const int64_t unit : {1000, 100, 10}) {
    if (given_ms % unit == 0) {
      const int64_t remainder = ((actual_ms % unit) + unit) % unit;
      return given_ms == actual_ms - remainder;
    }
  }
  return given_ms == actual_ms;
}

// Adds `tags` to the tags `existing` of `resource` (its name, for the
// message), within Kinesis' limit per stream or consumer.
absl::Status AddTags(const std::vector<Tag>& tags, absl::string_view resource,
                     StreamTags& existing) {
  for (const Tag& tag : tags) existing[tag.key] = tag.value;
  if (existing.size() > static_cast<size_t>(kMaxTagsPerResource)) {
    return LimitExceeded(absl::StrCat("'", resource, "' would have ",
                                      existing.size(), " tags; the most is ",
                                      kMaxTagsPerResource));
  }
  return absl::OkStatus();
}

absl::Status RemoveTags(const std::vector<std::string>& keys,
                        StreamTags& existing) {
  for (const std::string& key : keys) existing.erase(key);
  return absl::OkStatus();
}

absl::Status ClosedError() { return InternalFailure("the broker is closed"); }

// The options' key provider, or a KeyDirectory beside `data_dir`.
std::shared_ptr<KeyProvider> KeyProviderFor(const BrokerOptions& options,
                                            absl::string_view data_dir) {
  if (options.key_provider != nullptr) return options.key_provider;
  std::string path = options.key_directory;
  if (path.empty()) {
    // "/data/" names the same directory as "/data": its keys go beside it,
    // in "/data.keys", never in "/data/.keys".
    absl::string_view dir = data_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    path = absl::StrCat(dir, ".keys");
  }
  return std::make_shared<KeyDirectory>(std::move(path), options.region,
                                        options.account_id);
}

// Kinesis' limits on encryption changes: 25 of each per rolling 24 hours
// (StartStreamEncryption in the API reference; the same for stops).
constexpr int kMaxEncryptionChangesPerDay = 25;

// Drops the times of `times` older than a day before `now_ms`; fails with
// LimitExceededException if the rest are at the limit already.
absl::Status CheckDailyLimit(std::vector<int64_t>& times, int64_t now_ms,
                             absl::string_view what) {
  const int64_t day_ago = now_ms - absl::ToInt64Milliseconds(absl::Hours(24));
  times.erase(std::remove_if(times.begin(), times.end(),
                             [&](int64_t ms) { return ms <= day_ago; }),
              times.end());
  if (times.size() >= size_t{kMaxEncryptionChangesPerDay}) {
    return LimitExceeded(absl::StrCat("the stream's encryption was ", what, " ",
                                      kMaxEncryptionChangesPerDay,
                                      " times in the last 24 hours"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Broker>> Broker::Open(
    const BrokerOptions& options, absl::string_view dir) {
  return BrokerImpl::Open(options, dir);
}

absl::StatusOr<PutRecordsResult> Broker::PutRecordsInPlace(
    const PutRecordsRequestView& request) {
  PutRecordsRequest copy;
  copy.stream = std::string(request.stream);
  copy.records.reserve(request.records.size());
  for (const PutRecordsEntryView& record : request.records) {
    copy.records.push_back(PutRecordsRequestEntry{
        std::string(record.partition_key), std::string(record.data),
        std::string(record.explicit_hash_key)});
  }
  return PutRecords(copy);
}

absl::StatusOr<std::unique_ptr<Broker>> BrokerImpl::Open(
    const BrokerOptions& options, absl::string_view dir) {
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<BrokerImpl> broker,
                         OpenWithFileSystem(options, dir, StoreFileSystem()));
  return broker;
}

absl::StatusOr<std::unique_ptr<BrokerImpl>> BrokerImpl::OpenWithFileSystem(
    const BrokerOptions& options, absl::string_view dir,
    const StoreFileSystem& file_system) {
  BROOK_RETURN_IF_ERROR(options.Validate());
  BROOK_ASSIGN_OR_RETURN(
      std::unique_ptr<DataDirLock> lock,
      DataDirLock::Acquire(std::string(dir), options.create_if_missing));
  StoreOptions store_options;
  store_options.file_system = file_system;
  store_options.min_free_disk_bytes = options.min_free_disk_bytes;
  store_options.reserve_dir = std::string(dir);
  store_options.format_version = lock->format_version();
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                         Store::Open(lock->store_path(), store_options));
  std::unique_ptr<BrokerImpl> broker(
      new BrokerImpl(options, std::move(lock), std::move(store)));
  absl::MutexLock lock_for_start(&broker->close_mu_);
  BROOK_RETURN_IF_ERROR(broker->Start());
  return broker;
}

BrokerImpl::BrokerImpl(const BrokerOptions& options,
                       std::unique_ptr<DataDirLock> lock,
                       std::unique_ptr<Store> store)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      lock_(std::move(lock)),
      store_(std::move(store)),
      log_(std::make_unique<ShardLog>(store_.get())),
      key_provider_(KeyProviderFor(options, lock_->dir())),
      tail_cache_(std::make_unique<TailCache>(options.tail_cache_bytes)),
      catalog_(std::make_unique<Catalog>(store_.get(), log_.get(), options,
                                         key_provider_.get())),
      consumers_(std::make_unique<ConsumerRegistry>(
          store_.get(), catalog_.get(), options.max_consumers_per_stream)),
      checkpoints_(std::make_unique<CheckpointStore>(
          store_.get(), catalog_.get(), options.durability)) {}

absl::Status BrokerImpl::Start() {
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> key,
                         MetaReader(store_.get()).TokenKey());
  if (!key.has_value()) {
    key = TokenSigner::NewKey();
    StoreWrite write = store_->NewWrite();
    write.PutTokenKey(*key);
    BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  }
  signer_ = std::make_unique<TokenSigner>(*std::move(key));
  BROOK_ASSIGN_OR_RETURN(int64_t newest_arrival_ms,
                         catalog_->Load(clock_->Now()));
  CommitPipelineOptions pipeline_options;
  pipeline_options.durability = options_.durability;
  pipeline_options.max_pending_bytes = options_.max_pending_write_bytes;
  pipeline_options.max_group_bytes = options_.max_commit_group_bytes;
  pipeline_options.clock = clock_;
  pipeline_options.tail_cache = tail_cache_.get();
  BROOK_RETURN_IF_ERROR(consumers_->Load());
  // Records that expired while the directory was closed are unreadable
  // before the first call: the pass moves every trim point even where it
  // cannot delete. Neither a disk short of space (which refuses deletions
  // until later) nor damage among a shard's oldest records (which reads of
  // that shard report) keeps the directory from opening.
  trimmer_ = std::make_unique<RetentionTrimmer>(store_.get(), log_.get(),
                                                catalog_.get(), clock_);
  if (absl::Status trimmed = trimmer_->TrimAll().status();
      !trimmed.ok() && trimmed.code() != absl::StatusCode::kDataLoss &&
      store_->write_state().status == WriteStatus::kAccepting) {
    return trimmed;
  }
  trimmer_->Start(options_.retention_check_interval);
  BROOK_ASSIGN_OR_RETURN(
      pipeline_,
      CommitPipeline::Start(store_.get(), pipeline_options, newest_arrival_ms));
  recovery_ = std::make_unique<WriteRecovery>(store_.get(), pipeline_.get(),
                                              catalog_.get());
  recovery_->Start(options_.disk_check_interval);
  FanOutOptions fan_out_options;
  fan_out_options.threads = options_.fan_out_threads;
  fan_out_options.subscription_lifetime = options_.subscription_lifetime;
  fan_out_options.clock = clock_;
  fan_out_ = std::make_unique<FanOutService>(log_.get(), fan_out_options);
  fan_out_->Start();
  capacity_ = std::make_unique<CapacityController>(
      options_.on_demand, catalog_.get(), clock_,
      [this](const std::shared_ptr<StreamState>& stream,
             absl::FunctionRef<absl::Status(ReshardPlanner&)> plan) {
        return Reshard(stream, plan);
      });
  capacity_->Start();
  return absl::OkStatus();
}

// -----------------------------------------------------------------------------
// Enhanced fan-out
// -----------------------------------------------------------------------------

absl::StatusOr<std::shared_ptr<ConsumerState>> BrokerImpl::ResolveConsumer(
    const absl::Status& valid, const ConsumerRef& ref) const {
  BROOK_RETURN_IF_ERROR(Preamble(valid));
  return consumers_->Find(ref);
}

absl::StatusOr<Consumer> BrokerImpl::RegisterStreamConsumer(
    const RegisterStreamConsumerRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<ConsumerState> consumer,
                         consumers_->Register(*stream, request.consumer_name,
                                              request.tags, clock_->Now()));
  return consumer->Describe();
}

absl::Status BrokerImpl::DeregisterStreamConsumer(const ConsumerRef& ref) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      std::shared_ptr<ConsumerState> consumer,
      ResolveConsumer(Validate(ref, "DeregisterStreamConsumer"), ref));
  BROOK_RETURN_IF_ERROR(consumers_->Deregister(consumer));
  fan_out_->EndConsumer(consumer.get(), ResourceNotFound(absl::StrCat(
                                            "consumer '", consumer->name(),
                                            "' was deregistered")));
  return absl::OkStatus();
}

absl::StatusOr<Consumer> BrokerImpl::DescribeStreamConsumer(
    const ConsumerRef& ref) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      std::shared_ptr<ConsumerState> consumer,
      ResolveConsumer(Validate(ref, "DescribeStreamConsumer"), ref));
  return consumer->Describe();
}

absl::StatusOr<ListStreamConsumersResult> BrokerImpl::ListStreamConsumers(
    const ListStreamConsumersRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_RETURN_IF_ERROR(
      CheckCreation(*stream, request.stream_creation_timestamp));
  std::string start;
  if (!request.next_token.empty()) {
    BROOK_ASSIGN_OR_RETURN(
        std::string token_payload,
        OpenNextToken(TokenKind::kListStreamConsumers, request.next_token));
    Decoder payload(token_payload);
    uint32_t stream_id = 0;
    if (!payload.ReadFixed32BE(&stream_id) || stream_id != stream->id()) {
      return InvalidArgument("next token of another stream");
    }
    start = std::string(payload.remaining());
  }
  ListStreamConsumersResult result;
  bool more = false;
  for (const auto& consumer :
       consumers_->List(stream->id(), start, request.max_results, &more)) {
    result.consumers.push_back(consumer->Describe());
  }
  if (more) {
    std::string payload;
    PutFixed32BE(&payload, stream->id());
    payload += result.consumers.back().consumer_name;
    result.next_token =
        signer_->Seal(TokenKind::kListStreamConsumers, clock_->Now(), payload);
  }
  return result;
}

absl::StatusOr<std::unique_ptr<Subscription>> BrokerImpl::SubscribeToShard(
    const SubscribeToShardRequest& request, SubscriptionHandler* handler) {
  absl::ReaderMutexLock lock(&close_mu_);
  if (handler == nullptr) return InvalidArgument("a handler is required");
  ConsumerRef ref;
  ref.consumer_arn = request.consumer_arn;
  BROOK_ASSIGN_OR_RETURN(
      std::shared_ptr<ConsumerState> consumer,
      ResolveConsumer(Validate(request, clock_->Now()), ref));
  std::shared_ptr<StreamState> stream =
      catalog_->FindById(consumer->stream_id());
  if (stream == nullptr) {
    return ResourceNotFound("the consumer's stream was deleted");
  }
  BROOK_ASSIGN_OR_RETURN(ShardState * shard,
                         FindShard(*stream, request.shard_id));
  BROOK_ASSIGN_OR_RETURN(uint64_t counter,
                         StartingCounter(*shard, request.starting_position));
  return fan_out_->Subscribe(std::move(stream), shard, std::move(consumer),
                             counter, handler);
}

// -----------------------------------------------------------------------------
// Checkpoints
// -----------------------------------------------------------------------------

namespace {

// The key of a remote stream's checkpoints: the request names one.
template <typename Request>
RemoteStreamKey RemoteStreamOf(const Request& request) {
  return RemoteStreamKey{request.remote_endpoint, request.stream};
}

}  // namespace

absl::Status BrokerImpl::PutCheckpoint(const PutCheckpointRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  if (!request.remote_endpoint.empty()) {
    // Another Broker's stream, which this one cannot see: kept as given.
    BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
    Checkpoint checkpoint;
    checkpoint.shard_id = request.shard_id;
    if (!request.shard_end) {
      checkpoint.sequence_number = request.sequence_number;
      checkpoint.sub_sequence_number = request.sub_sequence_number;
    }
    checkpoint.shard_end = request.shard_end;
    return checkpoints_->PutRemote(RemoteStreamOf(request),
                                   request.application_name, checkpoint);
  }
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_ASSIGN_OR_RETURN(uint32_t index,
                         ShardIndexOf(*stream, request.shard_id));
  const ShardState& shard = *stream->shard(index);
  uint64_t counter = 0;
  if (request.shard_end) {
    const absl::optional<uint64_t> ending = shard.ending_counter();
    if (!ending.has_value()) {
      return InvalidArgument(absl::StrCat(
          "shard ", request.shard_id,
          " is open: only a closed shard can be checkpointed at its end"));
    }
    counter = *ending;
  } else {
    if (!IsNumberOfShard(shard, request.sequence_number)) {
      return InvalidArgument(absl::StrCat("sequence number ",
                                          request.sequence_number.ToString(),
                                          " is not of shard ", request.shard_id,
                                          " of stream '", stream->name(), "'"));
    }
    counter = CounterOf(request.sequence_number);
  }
  return checkpoints_->Put(*stream, request.application_name, shard, counter,
                           request.shard_end ? 0 : request.sub_sequence_number,
                           request.shard_end);
}

absl::StatusOr<GetCheckpointsResult> BrokerImpl::GetCheckpoints(
    const GetCheckpointsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  GetCheckpointsResult result;
  if (!request.remote_endpoint.empty()) {
    BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
    BROOK_ASSIGN_OR_RETURN(result.checkpoints,
                           checkpoints_->ListRemote(RemoteStreamOf(request),
                                                    request.application_name));
    return result;
  }
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_ASSIGN_OR_RETURN(result.checkpoints,
                         checkpoints_->List(*stream, request.application_name));
  return result;
}

absl::Status BrokerImpl::DeleteCheckpoints(
    const DeleteCheckpointsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  if (!request.remote_endpoint.empty()) {
    BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
    return checkpoints_->DeleteRemote(RemoteStreamOf(request),
                                      request.application_name);
  }
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  return checkpoints_->Delete(*stream, request.application_name);
}

// -----------------------------------------------------------------------------
// Operations
// -----------------------------------------------------------------------------

namespace {

BackupResult ResultOf(const DataDirCopyStats& stats, absl::Time start) {
  BackupResult result;
  result.bytes = stats.bytes;
  result.files = stats.files;
  result.duration = absl::Now() - start;
  return result;
}

}  // namespace

absl::StatusOr<BackupResult> BrokerImpl::Backup(const BackupRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(CheckOpen());
  if (request.destination.empty()) {
    return InvalidArgument("a backup destination is required");
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<DataDirCopyStats> stats;
  auto backup = [&] {
    stats = BackupStore(*store_, lock_->dir(), request.destination);
    return stats.status();
  };
  if (options_.durability == Durability::kNoWal) {
    // Without a log, each family's copy is its last flush: commits wait so
    // that every family is flushed with the same records.
    BROOK_RETURN_IF_ERROR(pipeline_->RunExclusive(
        [&](CommitPipeline::Exclusive&) { return backup(); }));
  } else {
    BROOK_RETURN_IF_ERROR(backup());
  }
  return ResultOf(*stats, start);
}

absl::StatusOr<BackupResult> RestoreBackup(absl::string_view backup,
                                           absl::string_view destination) {
  const absl::Time start = absl::Now();
  BROOK_ASSIGN_OR_RETURN(
      DataDirCopyStats stats,
      RestoreDataDir(std::string(backup), std::string(destination)));
  return ResultOf(stats, start);
}

BrokerImpl::~BrokerImpl() { Close().IgnoreError(); }

absl::Status BrokerImpl::Close() {
  absl::MutexLock lock(&close_mu_);
  if (closed_) return absl::OkStatus();
  StopThreads();
  const WriteState state = store_->write_state();
  absl::Status status = store_->Close();
  if (status.ok() && options_.durability == Durability::kNoWal &&
      state.status != WriteStatus::kAccepting &&
      state.status != WriteStatus::kLowSpace) {
    // Without a log, what the stopped store could not flush is gone.
    status = InternalFailure(absl::StrCat(
        "closed without flushing, since writes were stopped (",
        state.reason.message(),
        "): records acknowledged in Durability::kNoWal since the last "
        "flush are lost"));
  }
  lock_.reset();
  return status;
}

void BrokerImpl::TEST_SimulateCrash() {
  absl::MutexLock lock(&close_mu_);
  if (closed_) return;
  StopThreads();
  store_->TEST_CloseWithoutFlush();
  lock_.reset();
}

void BrokerImpl::StopThreads() {
  closed_ = true;
  // First: its reshards need the pipeline.
  if (capacity_ != nullptr) capacity_->Stop();
  if (recovery_ != nullptr) recovery_->Stop();
  if (trimmer_ != nullptr) trimmer_->Stop();
  if (pipeline_ != nullptr) pipeline_->Stop();
  if (fan_out_ != nullptr) fan_out_->Stop();
}

WriteState BrokerImpl::GetWriteState() const { return store_->write_state(); }

absl::Status BrokerImpl::CheckOpen() const {
  return closed_ ? ClosedError() : absl::OkStatus();
}

absl::Status BrokerImpl::Preamble(const absl::Status& valid) const {
  BROOK_RETURN_IF_ERROR(valid);
  return CheckOpen();
}

absl::Status BrokerImpl::CheckCreation(
    const StreamState& stream,
    const absl::optional<absl::Time>& creation) const {
  if (creation.has_value() &&
      !SameAtPrecisionGiven(absl::ToUnixMillis(*creation),
                            stream.creation_ms())) {
    return ResourceNotFound(
        absl::StrCat("Stream ", stream.name(), " was not created at ",
                     absl::FormatTime(*creation, absl::UTCTimeZone())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<StreamState>> BrokerImpl::ResolveStream(
    const absl::Status& valid, absl::string_view name_or_arn) const {
  BROOK_RETURN_IF_ERROR(Preamble(valid));
  return catalog_->Find(name_or_arn);
}

// -----------------------------------------------------------------------------
// Streams
// -----------------------------------------------------------------------------

absl::Status BrokerImpl::CreateStream(const CreateStreamRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
  return pipeline_->RunExclusive([&](CommitPipeline::Exclusive& section) {
    // The shards start at a counter of their own (see reshard_planner.h).
    const uint64_t first = section.next_counter();
    BROOK_RETURN_IF_ERROR(section.SkipCounters(1));
    return catalog_->Create(request, first, clock_->Now());
  });
}

absl::Status BrokerImpl::DeleteStream(const DeleteStreamRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  if (!request.enforce_consumer_deletion &&
      consumers_->CountFor(stream->id()) > 0) {
    return ResourceInUse(
        absl::StrCat("stream '", stream->name(),
                     "' has registered consumers; set "
                     "enforce_consumer_deletion to delete them with it"));
  }
  BROOK_RETURN_IF_ERROR(pipeline_->RunExclusive(
      [&](CommitPipeline::Exclusive&) { return catalog_->Delete(stream); }));
  // The next retention pass gives the space back.
  trimmer_->CompactDeleted(stream->id());
  consumers_->ForgetStream(stream->id());
  fan_out_->EndStream(stream->id(),
                      ResourceNotFound(absl::StrCat("stream '", stream->name(),
                                                    "' was deleted")));
  return absl::OkStatus();
}

absl::StatusOr<StreamDescription> BrokerImpl::DescribeStream(
    const DescribeStreamRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  StreamDescription description;
  DescribeCommonFields(*stream, &description);
  description.shards =
      PageOfShards(SelectShards(*stream, ShardFilter(), clock_->Now()),
                   request.exclusive_start_shard_id,
                   std::min(request.limit, kMaxShardsPerDescribe),
                   &description.has_more_shards);
  return description;
}

absl::StatusOr<StreamDescriptionSummary> BrokerImpl::DescribeStreamSummary(
    const DescribeStreamSummaryRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  StreamDescriptionSummary summary;
  DescribeCommonFields(*stream, &summary);
  summary.limits = stream->limits();
  summary.consumer_count = consumers_->CountFor(stream->id());
  summary.open_shard_count = stream->open_shard_count();
  return summary;
}

absl::Status BrokerImpl::IncreaseStreamRetentionPeriod(
    const UpdateStreamRetentionRequest& request) {
  return UpdateRetention(request, /*increase=*/true);
}

absl::Status BrokerImpl::DecreaseStreamRetentionPeriod(
    const UpdateStreamRetentionRequest& request) {
  return UpdateRetention(request, /*increase=*/false);
}

absl::Status BrokerImpl::UpdateRetention(
    const UpdateStreamRetentionRequest& request, bool increase) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      std::shared_ptr<StreamState> stream,
      ResolveStream(Validate(request, increase), request.stream));
  const int current = stream->retention_hours();
  if (increase ? request.retention_period_hours < current
               : request.retention_period_hours > current) {
    return InvalidArgument(absl::StrCat(
        increase ? "cannot increase" : "cannot decrease",
        " the retention period of stream '", stream->name(), "' from ", current,
        " to ", request.retention_period_hours, " hours"));
  }
  // Reads honour the period at once, so records that expired under the
  // old period must stay expired under a longer one, removed or not yet.
  if (increase) BROOK_RETURN_IF_ERROR(HideExpired(*stream));
  return catalog_->UpdateRetention(stream, request.retention_period_hours);
}

absl::Status BrokerImpl::HideExpired(const StreamState& stream) const {
  const int64_t horizon_ms =
      absl::ToUnixMillis(clock_->Now() - absl::Hours(stream.retention_hours()));
  for (int i = 0; i < stream.shard_count(); ++i) {
    ShardState& shard = *stream.shard(i);
    BROOK_ASSIGN_OR_RETURN(
        absl::optional<uint64_t> first_kept,
        log_->FirstCounterArrivedAtOrAfter(shard.ref(), horizon_ms));
    shard.TrimTo(first_kept.value_or(shard.last_visible_counter() + 1));
  }
  return absl::OkStatus();
}

absl::Status BrokerImpl::UpdateMaxRecordSize(
    const UpdateMaxRecordSizeRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  if (stream->resharding()) {
    return ResourceInUse(absl::StrCat("stream '", stream->name(),
                                      "' is UPDATING: a reshard is running"));
  }
  return catalog_->UpdateMaxRecordSize(stream, request.max_record_size_kib,
                                       clock_->Now());
}

absl::Status BrokerImpl::UpdateStreamMode(
    const UpdateStreamModeRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  // A switch waits for no reshard and lets none run meanwhile, so that the
  // scaling controller never reshards a stream that is turning provisioned.
  if (!stream->TryBeginReshard()) return StreamUpdating(*stream);
  absl::Cleanup end_update = [&stream] { stream->EndReshard(); };
  return catalog_->UpdateStreamMode(stream, request.stream_mode, clock_->Now());
}

absl::Status BrokerImpl::StartStreamEncryption(
    const StreamEncryptionRequest& request) {
  return UpdateEncryption(request, /*start=*/true);
}

absl::Status BrokerImpl::StopStreamEncryption(
    const StreamEncryptionRequest& request) {
  return UpdateEncryption(request, /*start=*/false);
}

absl::Status BrokerImpl::UpdateEncryption(
    const StreamEncryptionRequest& request, bool start) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      std::shared_ptr<StreamState> stream,
      ResolveStream(Validate(request, start), request.stream));
  if (stream->resharding()) {
    return ResourceInUse(absl::StrCat("stream '", stream->name(),
                                      "' is UPDATING: a reshard is running"));
  }
  if (!start && stream->keys().encryption_type() == EncryptionType::kNone) {
    return absl::OkStatus();
  }
  // The key provider may be slow (files, a network): asked before the
  // exclusive section, which holds up commits.
  absl::optional<DataKey> data_key;
  absl::optional<AesGcmKey> key;
  if (start) {
    BROOK_ASSIGN_OR_RETURN(data_key,
                           key_provider_->GenerateDataKey(request.key_id));
    absl::StatusOr<AesGcmKey> made = AesGcmKey::FromBytes(data_key->plaintext);
    if (!made.ok()) {
      return MakeError(ErrorName::kKMSInvalidStateException,
                       "the key provider made a data key of a wrong size");
    }
    key = *std::move(made);
  }
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  // Exclusive, so that every group committed after the call is sealed as
  // the call leaves the stream, and none before it.
  return pipeline_->RunExclusive([&](CommitPipeline::Exclusive&) {
    return catalog_->UpdateEncryption(
        stream,
        [&](StreamEncryption& encryption) -> absl::Status {
          if (!start) {
            BROOK_RETURN_IF_ERROR(
                CheckDailyLimit(encryption.stop_ms, now_ms, "stopped"));
            encryption.current = absl::nullopt;
            encryption.stop_ms.push_back(now_ms);
            return absl::OkStatus();
          }
          BROOK_RETURN_IF_ERROR(
              CheckDailyLimit(encryption.start_ms, now_ms, "started"));
          const uint32_t generation =
              encryption.keys.empty() ? 0
                                      : encryption.keys.back().generation + 1;
          encryption.keys.push_back(
              {generation, request.key_id, std::move(data_key->wrapped)});
          encryption.current = generation;
          encryption.start_ms.push_back(now_ms);
          return absl::OkStatus();
        },
        key.has_value() ? &*key : nullptr);
  });
}

absl::StatusOr<EnhancedMonitoringResult> BrokerImpl::EnableEnhancedMonitoring(
    const EnhancedMonitoringRequest& request) {
  return UpdateMonitoring(request, /*enable=*/true);
}

absl::StatusOr<EnhancedMonitoringResult> BrokerImpl::DisableEnhancedMonitoring(
    const EnhancedMonitoringRequest& request) {
  return UpdateMonitoring(request, /*enable=*/false);
}

absl::StatusOr<EnhancedMonitoringResult> BrokerImpl::UpdateMonitoring(
    const EnhancedMonitoringRequest& request, bool enable) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      std::shared_ptr<StreamState> stream,
      ResolveStream(Validate(request, enable), request.stream));
  const uint32_t change = MetricsMaskOf(request.shard_level_metrics);
  EnhancedMonitoringResult result;
  result.stream_name = stream->name();
  result.stream_arn = stream->arn();
  BROOK_RETURN_IF_ERROR(
      catalog_->UpdateSettings(stream, [&](StreamSettings& settings) {
        result.current_shard_level_metrics =
            MetricNamesOf(settings.shard_level_metrics);
        settings.shard_level_metrics =
            enable ? settings.shard_level_metrics | change
                   : settings.shard_level_metrics & ~change;
        result.desired_shard_level_metrics =
            MetricNamesOf(settings.shard_level_metrics);
        return absl::OkStatus();
      }));
  return result;
}

absl::StatusOr<BrokerImpl::Resource> BrokerImpl::ResolveResource(
    const absl::Status& valid, absl::string_view resource_arn) const {
  Resource resource;
  if (resource_arn.find("/consumer/") != absl::string_view::npos) {
    ConsumerRef ref;
    ref.consumer_arn = std::string(resource_arn);
    BROOK_ASSIGN_OR_RETURN(resource.consumer, ResolveConsumer(valid, ref));
    return resource;
  }
  BROOK_RETURN_IF_ERROR(Preamble(valid));
  if (resource_arn.find(":stream/") == absl::string_view::npos) {
    return ResourceNotFound(
        absl::StrCat("Resource ", resource_arn, " not found."));
  }
  BROOK_ASSIGN_OR_RETURN(resource.stream, catalog_->Find(resource_arn));
  return resource;
}

StreamTags BrokerImpl::TagsOf(const Resource& resource) const {
  return resource.stream != nullptr ? resource.stream->tags()
                                    : resource.consumer->meta().tags;
}

absl::optional<std::string> BrokerImpl::PolicyOf(
    const Resource& resource) const {
  return resource.stream != nullptr ? resource.stream->settings().policy
                                    : resource.consumer->meta().policy;
}

absl::Status BrokerImpl::UpdateTags(
    const Resource& resource,
    absl::FunctionRef<absl::Status(StreamTags&)> edit) {
  if (resource.stream != nullptr) {
    return catalog_->UpdateTags(resource.stream, edit);
  }
  return consumers_->Update(resource.consumer, [&](ConsumerMeta& consumer) {
    return edit(consumer.tags);
  });
}

absl::Status BrokerImpl::UpdatePolicy(
    const Resource& resource,
    absl::FunctionRef<absl::Status(absl::optional<std::string>&)> edit) {
  if (resource.stream != nullptr) {
    return catalog_->UpdateSettings(
        resource.stream,
        [&](StreamSettings& settings) { return edit(settings.policy); });
  }
  return consumers_->Update(resource.consumer, [&](ConsumerMeta& consumer) {
    return edit(consumer.policy);
  });
}

absl::Status BrokerImpl::PutResourcePolicy(
    const PutResourcePolicyRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      const Resource resource,
      ResolveResource(Validate(request), request.resource_arn));
  return UpdatePolicy(resource, [&](absl::optional<std::string>& policy) {
    policy = request.policy;
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> BrokerImpl::GetResourcePolicy(
    absl::string_view resource_arn) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      const Resource resource,
      ResolveResource(ValidateResourceArn(resource_arn, "GetResourcePolicy"),
                      resource_arn));
  return PolicyOf(resource).value_or("{}");
}

absl::Status BrokerImpl::DeleteResourcePolicy(absl::string_view resource_arn) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      const Resource resource,
      ResolveResource(ValidateResourceArn(resource_arn, "DeleteResourcePolicy"),
                      resource_arn));
  return UpdatePolicy(resource, [&](absl::optional<std::string>& policy) {
    if (!policy.has_value()) {
      return ResourceNotFound(
          absl::StrCat("Resource ", resource_arn, " has no resource policy"));
    }
    policy.reset();
    return absl::OkStatus();
  });
}

absl::Status BrokerImpl::UpdateStreamLimits(
    const UpdateStreamLimitsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  return catalog_->UpdateLimits(stream, request.limits, clock_->Now());
}

absl::StatusOr<GetShardMetricsResult> BrokerImpl::GetShardMetrics(
    const GetShardMetricsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  GetShardMetricsResult result;
  result.shard_level_metrics =
      MetricNamesOf(stream->settings().shard_level_metrics);
  result.shards.resize(stream->shard_count());
  for (int i = 0; i < stream->shard_count(); ++i) {
    result.shards[i].shard_id = ShardIdOf(i);
    stream->shard(i)->counters().Snapshot(&result.shards[i]);
  }
  return result;
}

// Each figure is read where it is kept: the commit pipeline's queue, the
// tail cache, RocksDB (through the store), the fan-out service.
absl::StatusOr<BrokerMetrics> BrokerImpl::GetBrokerMetrics() {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(Preamble(absl::OkStatus()));
  BrokerMetrics metrics;
  metrics.queued_write_bytes = static_cast<int64_t>(pipeline_->pending_bytes());
  metrics.tail_cache_bytes = static_cast<int64_t>(tail_cache_->bytes());
  const StoreStats stats = store_->Stats();
  metrics.write_stalls_delayed = stats.write_stalls_delayed;
  metrics.write_stalls_stopped = stats.write_stalls_stopped;
  metrics.write_stalled = stats.write_stalled;
  metrics.pending_compaction_bytes =
      static_cast<int64_t>(stats.pending_compaction_bytes);
  for (const std::shared_ptr<StreamState>& stream : catalog_->All()) {
    metrics.streams.push_back(StreamStorageMetrics{
        stream->name(), static_cast<int64_t>(store_->ApproximateBytes(
                            StreamKeys(stream->id())))});
  }
  std::sort(metrics.streams.begin(), metrics.streams.end(),
            [](const StreamStorageMetrics& a, const StreamStorageMetrics& b) {
              return a.stream < b.stream;
            });
  metrics.consumer_lag = fan_out_->Lags();
  metrics.open_subscriptions =
      static_cast<int64_t>(metrics.consumer_lag.size());
  return metrics;
}

absl::StatusOr<DescribeLimitsResult> BrokerImpl::DescribeLimits() {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(Preamble(absl::OkStatus()));
  DescribeLimitsResult result;
  result.shard_limit = options_.max_shards;
  result.open_shard_count = catalog_->open_shard_count();
  result.on_demand_stream_count = catalog_->on_demand_stream_count();
  result.on_demand_stream_count_limit = options_.on_demand.max_streams;
  return result;
}

absl::StatusOr<ListStreamsResult> BrokerImpl::ListStreams(
    const ListStreamsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
  std::string start = request.exclusive_start_stream_name;
  if (!request.next_token.empty()) {
    BROOK_ASSIGN_OR_RETURN(
        std::string token_payload,
        OpenNextToken(TokenKind::kListStreams, request.next_token));
    start = std::move(token_payload);
  }
  ListStreamsResult result;
  const auto streams =
      catalog_->ListAfter(start, std::min(request.limit, kMaxStreamsPerPage),
                          &result.has_more_streams);
  for (const std::shared_ptr<StreamState>& stream : streams) {
    result.stream_names.push_back(stream->name());
    result.stream_summaries.push_back(StreamSummary{
        stream->name(), stream->arn(), StatusOf(*stream),
        absl::FromUnixMillis(stream->creation_ms()), stream->stream_mode()});
  }
  if (result.has_more_streams) {
    result.next_token = signer_->Seal(TokenKind::kListStreams, clock_->Now(),
                                      result.stream_names.back());
  }
  return result;
}

absl::StatusOr<ListShardsResult> BrokerImpl::ListShards(
    const ListShardsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
  std::shared_ptr<StreamState> stream;
  ListShardsPosition position;
  if (!request.next_token.empty()) {
    BROOK_ASSIGN_OR_RETURN(
        std::string token_payload,
        OpenNextToken(TokenKind::kListShards, request.next_token));
    BROOK_ASSIGN_OR_RETURN(position, DecodeListShardsPosition(token_payload));
    stream = catalog_->FindById(position.stream_id);
    if (stream == nullptr) {
      return ResourceNotFound("the stream of this next token was deleted");
    }
  } else {
    BROOK_ASSIGN_OR_RETURN(stream, catalog_->Find(request.stream));
    BROOK_RETURN_IF_ERROR(
        CheckCreation(*stream, request.stream_creation_timestamp));
    const ShardFilter filter = request.shard_filter.value_or(ShardFilter());
    position.stream_id = stream->id();
    position.filter = filter;
    position.last_shard_id = filter.type == ShardFilterType::kAfterShardId
                                 ? filter.shard_id
                                 : request.exclusive_start_shard_id;
  }
  const absl::Time now = clock_->Now();
  ListShardsResult result;
  bool more = false;
  result.shards =
      PageOfShards(SelectShards(*stream, position.filter, now),
                   position.last_shard_id, request.max_results, &more);
  if (more) {
    position.last_shard_id = result.shards.back().shard_id;
    result.next_token = signer_->Seal(TokenKind::kListShards, now,
                                      EncodeListShardsPosition(position));
  }
  return result;
}

// -----------------------------------------------------------------------------
// Tags
// -----------------------------------------------------------------------------

absl::Status BrokerImpl::AddTagsToStream(
    const AddTagsToStreamRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  return catalog_->UpdateTags(stream, [&](StreamTags& tags) {
    return AddTags(request.tags, stream->name(), tags);
  });
}

absl::Status BrokerImpl::RemoveTagsFromStream(
    const RemoveTagsFromStreamRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  return catalog_->UpdateTags(stream, [&](StreamTags& tags) {
    return RemoveTags(request.tag_keys, tags);
  });
}

absl::Status BrokerImpl::TagResource(const TagResourceRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      const Resource resource,
      ResolveResource(Validate(request), request.resource_arn));
  return UpdateTags(resource, [&](StreamTags& tags) {
    return AddTags(request.tags, request.resource_arn, tags);
  });
}

absl::Status BrokerImpl::UntagResource(const UntagResourceRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      const Resource resource,
      ResolveResource(Validate(request), request.resource_arn));
  return UpdateTags(resource, [&](StreamTags& tags) {
    return RemoveTags(request.tag_keys, tags);
  });
}

absl::StatusOr<std::vector<Tag>> BrokerImpl::ListTagsForResource(
    absl::string_view resource_arn) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(
      const Resource resource,
      ResolveResource(ValidateResourceArn(resource_arn, "ListTagsForResource"),
                      resource_arn));
  std::vector<Tag> tags;
  for (const auto& [key, value] : TagsOf(resource)) {
    tags.push_back(Tag{key, value});
  }
  return tags;
}

absl::StatusOr<ListTagsForStreamResult> BrokerImpl::ListTagsForStream(
    const ListTagsForStreamRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  const StreamTags tags = stream->tags();
  ListTagsForStreamResult result;
  auto it = tags.upper_bound(request.exclusive_start_tag_key);
  for (; it != tags.end() &&
         result.tags.size() < static_cast<size_t>(request.limit);
       ++it) {
    result.tags.push_back(Tag{it->first, it->second});
  }
  result.has_more_tags = it != tags.end();
  return result;
}

// -----------------------------------------------------------------------------
// Resharding
// -----------------------------------------------------------------------------

absl::StatusOr<uint32_t> BrokerImpl::ShardIndexOf(
    const StreamState& stream, absl::string_view shard_id) const {
  const absl::optional<uint32_t> index = ParseShardId(shard_id);
  if (!index.has_value() || stream.shard(*index) == nullptr) {
    return ResourceNotFound(absl::StrCat(
        "shard '", shard_id, "' not found in stream '", stream.name(), "'"));
  }
  return *index;
}

absl::Status BrokerImpl::SplitShard(const SplitShardRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_RETURN_IF_ERROR(RefuseOnDemand(*stream, "SplitShard"));
  BROOK_ASSIGN_OR_RETURN(uint32_t index,
                         ShardIndexOf(*stream, request.shard_to_split));
  BROOK_ASSIGN_OR_RETURN(
      absl::uint128 hash_key,
      ParseHashKey("NewStartingHashKey", request.new_starting_hash_key));
  // Kinesis leaves each child at least two hash keys: the new starting key
  // must be above the shard's starting key + 1 and below its ending key.
  const HashKeyRange range = stream->shard(index)->hash_key_range();
  if (hash_key <= range.starting_hash_key + 1 ||
      hash_key >= range.ending_hash_key) {
    return InvalidArgument(absl::StrCat(
        "NewStartingHashKey ", request.new_starting_hash_key,
        " must be greater than ", Uint128ToDecimal(range.starting_hash_key + 1),
        " and less than ", Uint128ToDecimal(range.ending_hash_key),
        " for shard ", ShardIdOf(index)));
  }
  return Reshard(stream, [&](ReshardPlanner& planner) {
    return planner.Split(index, hash_key);
  });
}

absl::Status BrokerImpl::MergeShards(const MergeShardsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_RETURN_IF_ERROR(RefuseOnDemand(*stream, "MergeShards"));
  BROOK_ASSIGN_OR_RETURN(uint32_t index,
                         ShardIndexOf(*stream, request.shard_to_merge));
  BROOK_ASSIGN_OR_RETURN(
      uint32_t adjacent_index,
      ShardIndexOf(*stream, request.adjacent_shard_to_merge));
  // Kinesis takes the lower shard first and the one just above it second.
  // Validate() refused a shard merged with itself.
  assert(index != adjacent_index);
  if (stream->shard(adjacent_index)->hash_key_range().ending_hash_key <
      stream->shard(index)->hash_key_range().starting_hash_key) {
    return InvalidArgument(absl::StrCat(
        "AdjacentShardToMerge ", ShardIdOf(adjacent_index),
        " owns the hash keys below ShardToMerge ", ShardIdOf(index),
        "'s; give the lower shard as ShardToMerge"));
  }
  return Reshard(stream, [&](ReshardPlanner& planner) {
    return planner.Merge(index, adjacent_index);
  });
}

absl::StatusOr<UpdateShardCountResult> BrokerImpl::UpdateShardCount(
    const UpdateShardCountRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request), request.stream));
  BROOK_RETURN_IF_ERROR(RefuseOnDemand(*stream, "UpdateShardCount"));
  UpdateShardCountResult result;
  result.stream_name = stream->name();
  result.stream_arn = stream->arn();
  result.target_shard_count = request.target_shard_count;
  BROOK_RETURN_IF_ERROR(Reshard(stream, [&](ReshardPlanner& planner) {
    result.current_shard_count = planner.open_shard_count();
    return planner.ScaleUniformly(request.target_shard_count,
                                  absl::ToUnixMillis(clock_->Now()));
  }));
  return result;
}

absl::Status BrokerImpl::RefuseOnDemand(const StreamState& stream,
                                        absl::string_view operation) const {
  if (stream.stream_mode() != StreamMode::kOnDemand) return absl::OkStatus();
  return InvalidArgument(absl::StrCat(
      operation, " is not supported for stream '", stream.name(),
      "' in ON_DEMAND mode: it scales itself; switch it to PROVISIONED "
      "(UpdateStreamMode) to reshard it by hand"));
}

absl::Status BrokerImpl::Reshard(
    const std::shared_ptr<StreamState>& stream,
    absl::FunctionRef<absl::Status(ReshardPlanner&)> plan) {
  if (!stream->TryBeginReshard()) return StreamUpdating(*stream);
  absl::Cleanup end_reshard = [&stream] { stream->EndReshard(); };
  if (reshard_hook_ != nullptr) reshard_hook_();
  // Only this reshard changes the stream's shards until it ends, so the
  // plan stays true until it is applied.
  ReshardPlanner planner(stream->meta());
  BROOK_RETURN_IF_ERROR(plan(planner));
  return pipeline_->RunExclusive([&](CommitPipeline::Exclusive& section) {
    const absl::Time now = clock_->Now();
    const uint64_t first = section.next_counter();
    const int open_shard_delta = planner.open_shard_delta();
    BROOK_RETURN_IF_ERROR(section.SkipCounters(planner.counters_needed()));
    return catalog_->Reshard(
        stream, std::move(planner).Finish(first, absl::ToUnixMillis(now)),
        open_shard_delta, now);
  });
}

// -----------------------------------------------------------------------------
// Producing
// -----------------------------------------------------------------------------

namespace {

// The records of `request`, by reference.
std::vector<PutRecordsEntryView> ViewsOf(const PutRecordsRequest& request) {
  std::vector<PutRecordsEntryView> views;
  views.reserve(request.records.size());
  for (const PutRecordsRequestEntry& entry : request.records) {
    views.push_back(PutRecordsEntryView{entry.partition_key, entry.data,
                                        entry.explicit_hash_key});
  }
  return views;
}

absl::StatusOr<PutRecordsResult> ToPutRecordsResult(
    absl::StatusOr<std::vector<RecordOutcome>> outcomes) {
  if (!outcomes.ok()) return outcomes.status();
  PutRecordsResult result;
  result.records.reserve(outcomes->size());
  for (RecordOutcome& outcome : *outcomes) {
    PutRecordsResultEntry entry;
    if (outcome.status.ok()) {
      result.encryption_type = outcome.encryption;
      entry.shard_id = ShardIdOf(outcome.shard.shard_index);
      entry.sequence_number =
          MakeSequenceNumber(outcome.counter, outcome.shard);
    } else {
      ++result.failed_record_count;
      entry.status = std::move(outcome.status);
    }
    result.records.push_back(std::move(entry));
  }
  return result;
}

absl::StatusOr<PutRecordResult> ToPutRecordResult(
    absl::StatusOr<std::vector<RecordOutcome>> outcomes) {
  if (!outcomes.ok()) return outcomes.status();
  RecordOutcome& outcome = outcomes->front();
  if (!outcome.status.ok()) return std::move(outcome.status);
  return PutRecordResult{ShardIdOf(outcome.shard.shard_index),
                         MakeSequenceNumber(outcome.counter, outcome.shard),
                         outcome.encryption};
}

// Runs `put` with a callback that stores its result, and waits for it.
template <typename Result, typename Put>
absl::StatusOr<Result> WaitFor(Put put) {
  absl::Notification decided;
  absl::StatusOr<Result> result;
  put([&](absl::StatusOr<Result> r) {
    result = std::move(r);
    decided.Notify();
  });
  decided.WaitForNotification();
  return result;
}

}  // namespace

absl::StatusOr<WriteRequest> BrokerImpl::PreparePuts(
    const absl::Status& valid, absl::string_view stream_ref,
    absl::Span<const PutRecordsEntryView> records,
    const absl::optional<SequenceNumber>& ordering) const {
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(valid, stream_ref));
  // An encrypted stream's key must be at hand before anything is queued:
  // a put it cannot seal fails whole, with the key provider's error.
  BROOK_RETURN_IF_ERROR(stream->keys().PrepareWrites());
  // Counters only grow, so any number issued before is below every number
  // issued from now on; a number never issued cannot be honoured.
  if (ordering.has_value() &&
      CounterOf(*ordering) >= pipeline_->next_counter()) {
    return InvalidArgument(absl::StrCat("sequence number for ordering ",
                                        ordering->ToString(),
                                        " was never issued by this broker"));
  }
  const std::shared_ptr<const ShardRouter> router = stream->router();
  WriteRequest request;
  request.records.reserve(records.size());
  for (const PutRecordsEntryView& record : records) {
    BROOK_RETURN_IF_ERROR(ValidateRecordSize(record.partition_key, record.data,
                                             stream->max_record_size_kib()));
    BROOK_ASSIGN_OR_RETURN(absl::optional<absl::uint128> explicit_hash_key,
                           ParseExplicitHashKey(record.explicit_hash_key));
    const absl::uint128 hash_key = explicit_hash_key.has_value()
                                       ? *explicit_hash_key
                                       : PartitionKeyHash(record.partition_key);
    request.records.push_back(PendingRecord{
        &router->ShardFor(hash_key), hash_key, record.partition_key,
        record.data, explicit_hash_key.has_value()});
  }
  // While writes are stopped, fail fast, before taking throughput tokens or
  // queueing: nothing of the request is written.
  BROOK_RETURN_IF_ERROR(store_->AdmitWrite());
  request.stream = std::move(stream);
  return request;
}

absl::Status BrokerImpl::ShardRateExceeded(const StreamState& stream,
                                           uint32_t shard_index) const {
  return ProvisionedThroughputExceeded(absl::StrCat(
      "Rate exceeded for shard ", ShardIdOf(shard_index), " in stream ",
      stream.name(), " under account ", options_.account_id, "."));
}

std::vector<absl::Status> BrokerImpl::AdmitWrites(WriteRequest& request) {
  const absl::Time now = clock_->Now();
  // An on-demand stream is limited as a whole (capacity/write_capacity.h),
  // its shards not at all: they are split before they would be.
  StreamState& stream = *request.stream;
  const bool on_demand = stream.stream_mode() == StreamMode::kOnDemand;
  std::vector<absl::Status> refusals(request.records.size());
  std::vector<PendingRecord> admitted;
  admitted.reserve(request.records.size());
  for (size_t i = 0; i < request.records.size(); ++i) {
    PendingRecord& record = request.records[i];
    const int64_t bytes = record.partition_key.size() + record.data.size();
    if (on_demand ? stream.write_capacity().TryAdmit(bytes, now)
                  : record.shard->limiter().TryAdmitWrite(bytes, now)) {
      if (on_demand) record.shard->traffic().Add(record.hash_key, bytes);
      admitted.push_back(record);
      continue;
    }
    record.shard->counters().AddWriteThrottled();
    refusals[i] =
        ShardRateExceeded(*request.stream, record.shard->ref().shard_index);
  }
  request.records = std::move(admitted);
  return refusals;
}

namespace {

// The outcomes of a whole request: each refused record's refusal, and the
// commit's outcomes, in order, for the admitted ones.
std::vector<RecordOutcome> MergeOutcomes(std::vector<absl::Status> refusals,
                                         std::vector<RecordOutcome> admitted) {
  std::vector<RecordOutcome> outcomes(refusals.size());
  size_t next_admitted = 0;
  for (size_t i = 0; i < refusals.size(); ++i) {
    if (refusals[i].ok()) {
      outcomes[i] = std::move(admitted[next_admitted++]);
    } else {
      outcomes[i].status = std::move(refusals[i]);
    }
  }
  return outcomes;
}

}  // namespace

void BrokerImpl::Enqueue(const absl::Status& valid,
                         absl::string_view stream_ref,
                         absl::Span<const PutRecordsEntryView> records,
                         const absl::optional<SequenceNumber>& ordering,
                         OutcomesCallback done) {
  absl::StatusOr<WriteRequest> request;
  std::vector<absl::Status> refusals;
  {
    absl::ReaderMutexLock lock(&close_mu_);
    request = PreparePuts(valid, stream_ref, records, ordering);
    if (request.ok()) {
      refusals = AdmitWrites(*request);
      if (!request->records.empty()) {
        request->done = [refusals = std::move(refusals),
                         done = std::move(done)](
                            std::vector<RecordOutcome> admitted) mutable {
          std::move(done)(
              MergeOutcomes(std::move(refusals), std::move(admitted)));
        };
        pipeline_->Submit(*std::move(request));
        return;
      }
    }
  }
  if (!request.ok()) {
    std::move(done)(request.status());
  } else {
    std::move(done)(MergeOutcomes(std::move(refusals), {}));
  }
}

void BrokerImpl::PutRecordsUnowned(const PutRecordsRequestView& request,
                                   PutRecordsCallback done) {
  Enqueue(Validate(request), request.stream, request.records, absl::nullopt,
          [done = std::move(done)](
              absl::StatusOr<std::vector<RecordOutcome>> outcomes) mutable {
            std::move(done)(ToPutRecordsResult(std::move(outcomes)));
          });
}

void BrokerImpl::PutRecordUnowned(const PutRecordRequest& request,
                                  PutRecordCallback done) {
  const PutRecordsEntryView view{request.partition_key, request.data,
                                 request.explicit_hash_key};
  Enqueue(Validate(request), request.stream, absl::MakeConstSpan(&view, 1),
          request.sequence_number_for_ordering,
          [done = std::move(done)](
              absl::StatusOr<std::vector<RecordOutcome>> outcomes) mutable {
            std::move(done)(ToPutRecordResult(std::move(outcomes)));
          });
}

absl::StatusOr<PutRecordsResult> BrokerImpl::PutRecords(
    const PutRecordsRequest& request) {
  const std::vector<PutRecordsEntryView> views = ViewsOf(request);
  return PutRecordsInPlace(PutRecordsRequestView{request.stream, views});
}

absl::StatusOr<PutRecordsResult> BrokerImpl::PutRecordsInPlace(
    const PutRecordsRequestView& request) {
  return WaitFor<PutRecordsResult>([&](PutRecordsCallback done) {
    PutRecordsUnowned(request, std::move(done));
  });
}

absl::StatusOr<PutRecordResult> BrokerImpl::PutRecord(
    const PutRecordRequest& request) {
  return WaitFor<PutRecordResult>([&](PutRecordCallback done) {
    PutRecordUnowned(request, std::move(done));
  });
}

void BrokerImpl::PutRecordsAsync(PutRecordsRequest request,
                                 PutRecordsCallback done) {
  // The callback owns the request and its views, so that its bytes outlive
  // the commit.
  struct Owned {
    PutRecordsRequest request;
    std::vector<PutRecordsEntryView> views;
  };
  auto owned = std::make_unique<Owned>();
  owned->request = std::move(request);
  owned->views = ViewsOf(owned->request);
  const PutRecordsRequestView view{owned->request.stream, owned->views};
  PutRecordsUnowned(view, [owned = std::move(owned), done = std::move(done)](
                              absl::StatusOr<PutRecordsResult> result) mutable {
    std::move(done)(std::move(result));
  });
}

void BrokerImpl::PutRecordAsync(PutRecordRequest request,
                                PutRecordCallback done) {
  auto owned = std::make_unique<PutRecordRequest>(std::move(request));
  const PutRecordRequest& view = *owned;
  PutRecordUnowned(view, [owned = std::move(owned), done = std::move(done)](
                             absl::StatusOr<PutRecordResult> result) mutable {
    std::move(done)(std::move(result));
  });
}

// -----------------------------------------------------------------------------
// Consuming
// -----------------------------------------------------------------------------

absl::StatusOr<ShardState*> BrokerImpl::FindShard(
    const StreamState& stream, absl::string_view shard_id) const {
  BROOK_ASSIGN_OR_RETURN(uint32_t index, ShardIndexOf(stream, shard_id));
  ShardState* shard = stream.shard(index);
  if (stream.ShardExpired(*shard, clock_->Now())) {
    return ResourceNotFound(absl::StrCat(
        "shard '", shard_id, "' of stream '", stream.name(),
        "' closed longer ago than the retention period and has expired"));
  }
  return shard;
}

absl::StatusOr<GetShardIteratorResult> BrokerImpl::GetShardIterator(
    const GetShardIteratorRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  const absl::Time now = clock_->Now();
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         ResolveStream(Validate(request, now), request.stream));
  BROOK_ASSIGN_OR_RETURN(ShardState * shard,
                         FindShard(*stream, request.shard_id));
  if (!shard->limiter().TryAdmitIteratorCall(now)) {
    return ProvisionedThroughputExceeded(absl::StrCat(
        "Rate exceeded for GetShardIterator on shard ",
        ShardIdOf(shard->ref().shard_index), " in stream ", stream->name()));
  }
  const StartingPosition position{request.shard_iterator_type,
                                  request.starting_sequence_number,
                                  request.timestamp};
  BROOK_ASSIGN_OR_RETURN(uint64_t counter, StartingCounter(*shard, position));
  return GetShardIteratorResult{SealIterator(shard->ref(), counter)};
}

absl::StatusOr<uint64_t> BrokerImpl::StartingCounter(
    const ShardState& shard, const StartingPosition& position) const {
  BROOK_ASSIGN_OR_RETURN(uint64_t counter,
                         UntrimmedStartingCounter(shard, position));
  // Positions older than the retention period start at the oldest record
  // kept.
  return std::max(counter, shard.trim_counter());
}

absl::StatusOr<uint64_t> BrokerImpl::UntrimmedStartingCounter(
    const ShardState& shard, const StartingPosition& position) const {
  const uint64_t after_newest = shard.last_visible_counter() + 1;
  switch (position.type) {
    case ShardIteratorType::kTrimHorizon:
      return shard.starting_counter();
    case ShardIteratorType::kLatest:
      return std::max(after_newest, shard.starting_counter());
    case ShardIteratorType::kAtTimestamp: {
      if (!position.timestamp.has_value()) {
        return InvalidArgument("AT_TIMESTAMP requires a timestamp");
      }
      BROOK_ASSIGN_OR_RETURN(
          absl::optional<uint64_t> counter,
          log_->FirstCounterArrivedAtOrAfter(
              shard.ref(), absl::ToUnixMillis(*position.timestamp)));
      return counter.value_or(std::max(after_newest, shard.starting_counter()));
    }
    case ShardIteratorType::kAtSequenceNumber:
    case ShardIteratorType::kAfterSequenceNumber:
      break;
  }
  if (!position.sequence_number.has_value()) {
    return InvalidArgument(
        absl::StrCat(ShardIteratorTypeToString(position.type),
                     " requires a starting sequence number"));
  }
  const SequenceNumber number = *position.sequence_number;
  const bool after = position.type == ShardIteratorType::kAfterSequenceNumber;
  const uint64_t start = after ? CounterOf(number) + 1 : CounterOf(number);
  // AFTER the number just before the shard's first counter is the
  // continuation of a subscription that has delivered nothing yet.
  const bool before_first = after && ShardOf(number) == shard.ref() &&
                            start == shard.starting_counter();
  if (!before_first && !IsNumberOfShard(shard, number)) {
    return InvalidArgument(
        absl::StrCat("starting sequence number ", number.ToString(),
                     " did not come from shard ",
                     ShardIdOf(shard.ref().shard_index), " of this stream"));
  }
  return start;
}

bool BrokerImpl::IsNumberOfShard(const ShardState& shard,
                                 SequenceNumber number) const {
  const uint64_t counter = CounterOf(number);
  const absl::optional<uint64_t> ending = shard.ending_counter();
  return ShardOf(number) == shard.ref() &&
         counter >= shard.starting_counter() &&
         counter < pipeline_->next_counter() &&
         (!ending.has_value() || counter <= *ending);
}

absl::StatusOr<std::string> BrokerImpl::OpenNextToken(
    TokenKind kind, absl::string_view token) const {
  BROOK_ASSIGN_OR_RETURN(OpenedToken opened,
                         signer_->Open(kind, token, "next token"));
  if (clock_->Now() - opened.issued > kNextTokenLifetime) {
    return ExpiredNextToken("next token expired after 300 seconds");
  }
  return std::move(opened.payload);
}

std::string BrokerImpl::SealIterator(ShardRef shard, uint64_t counter) const {
  return signer_->Seal(TokenKind::kShardIterator, clock_->Now(),
                       EncodeShardPosition(shard, counter));
}

absl::StatusOr<GetRecordsResult> BrokerImpl::GetRecords(
    const GetRecordsRequest& request) {
  absl::ReaderMutexLock lock(&close_mu_);
  BROOK_RETURN_IF_ERROR(Preamble(Validate(request)));
  BROOK_ASSIGN_OR_RETURN(
      OpenedToken token,
      signer_->Open(TokenKind::kShardIterator, request.shard_iterator,
                    "shard iterator"));
  const absl::Time now = clock_->Now();
  if (now - token.issued > kIteratorLifetime) {
    return ExpiredIterator(absl::StrCat(
        "iterator expired: issued ", absl::FormatTime(token.issued),
        ", older than the tolerated 300000 milliseconds"));
  }
  Decoder payload(token.payload);
  ShardRef ref;
  uint64_t counter = 0;
  if (!payload.ReadFixed32BE(&ref.stream_id) ||
      !payload.ReadFixed32BE(&ref.shard_index) ||
      !payload.ReadFixed64BE(&counter)) {
    return InvalidArgument("invalid shard iterator");
  }
  std::shared_ptr<StreamState> stream = catalog_->FindById(ref.stream_id);
  ShardState* shard =
      stream == nullptr ? nullptr : stream->shard(ref.shard_index);
  if (shard == nullptr) {
    return ResourceNotFound("the stream of this shard iterator was deleted");
  }
  if (!shard->limiter().TryAdmitRead(now)) {
    shard->counters().AddReadThrottled();
    return ShardRateExceeded(*stream, ref.shard_index);
  }
  BROOK_ASSIGN_OR_RETURN(VisibleRead read,
                         ReadVisible(*log_, *stream, *shard, counter,
                                     static_cast<size_t>(request.limit),
                                     kMaxGetRecordsBytes, now));
  GetRecordsResult result;
  result.records = std::move(read.read.records);
  if (read.reached_end) {
    result.child_shards = stream->ChildShardsOf(ref.shard_index);
  } else {
    result.next_shard_iterator = SealIterator(ref, read.read.next_counter);
  }
  result.millis_behind_latest = read.millis_behind_latest;
  int64_t bytes = 0;
  for (const Record& record : result.records) {
    bytes += record.partition_key.size() + record.data.size();
  }
  shard->limiter().ChargeRead(bytes, now);
  shard->counters().AddOutgoing(result.records.size(), bytes,
                                result.millis_behind_latest);
  return result;
}

}  // namespace brook
