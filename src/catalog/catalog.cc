#include "catalog/catalog.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/meta_reader.h"

namespace brook {
namespace {

// Kinesis' limit on UpdateStreamMode: two switches per rolling 24 hours.
constexpr size_t kMaxModeChangesPerDay = 2;
constexpr int64_t kModeChangeWindowMs = int64_t{24} * 60 * 60 * 1000;

}  // namespace

Catalog::Catalog(Store* store, const ShardLog* log,
                 const BrokerOptions& options, KeyProvider* key_provider)
    : store_(store),
      log_(log),
      arn_prefix_(absl::StrCat("arn:aws:kinesis:", options.region, ":",
                               options.account_id, ":stream/")),
      max_shards_(options.max_shards),
      on_demand_(options.on_demand),
      key_provider_(key_provider) {}

absl::StatusOr<int64_t> Catalog::Load(absl::Time now) {
  absl::MutexLock control(&control_mu_);
  const MetaReader reader(store_);
  BROOK_ASSIGN_OR_RETURN(absl::optional<uint32_t> next_id,
                         reader.NextStreamId());
  if (next_id.has_value()) next_stream_id_ = *next_id;
  BROOK_ASSIGN_OR_RETURN(std::vector<StoredStream> stored, reader.Streams());
  int64_t newest_arrival_ms = 0;
  absl::MutexLock lock(&mu_);
  for (StoredStream& stored_stream : stored) {
    std::string arn = ArnOf(stored_stream.meta.name);
    auto stream = std::make_shared<StreamState>(std::move(stored_stream.meta),
                                                std::move(arn),
                                                stored_stream.limits, now);
    stream->set_tags(std::move(stored_stream.tags));
    stream->set_settings(std::move(stored_stream.settings));
    if (stream->stream_mode() == StreamMode::kOnDemand) {
      StartWriteCapacity(*stream, now);
    }
    stream->keys().Restore(key_provider_, std::move(stored_stream.encryption));
    BROOK_ASSIGN_OR_RETURN(int64_t arrival_ms, PublishStoredTail(*stream));
    newest_arrival_ms = std::max(newest_arrival_ms, arrival_ms);
    Register(std::move(stream));
  }
  return newest_arrival_ms;
}

absl::Status Catalog::PublishStoredTails() {
  for (const std::shared_ptr<StreamState>& stream : All()) {
    BROOK_RETURN_IF_ERROR(PublishStoredTail(*stream).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Catalog::PublishStoredTail(StreamState& stream) {
  int64_t newest_arrival_ms = 0;
  for (int i = 0; i < stream.shard_count(); ++i) {
    ShardState* shard = stream.shard(i);
    BROOK_ASSIGN_OR_RETURN(absl::optional<ShardTail> tail,
                           log_->Tail(shard->ref(), TailCheck::kChecksum));
    if (!tail.has_value()) continue;
    newest_arrival_ms = std::max(newest_arrival_ms, tail->arrival_ms);
    // A closed shard starts visible to its end. A shard whose newest batch
    // is damaged starts visible up to that batch's first counter, so that
    // reads meet the damage rather than stop short of it unwarned; its
    // writes go on above the counter reservation, which is above every
    // counter that batch can hold (invariant 1).
    if (tail->last_counter > shard->last_visible_counter()) {
      shard->Publish(tail->last_counter);
    }
  }
  return newest_arrival_ms;
}

absl::Status Catalog::Create(const CreateStreamRequest& request,
                             uint64_t starting_counter, absl::Time now) {
  absl::MutexLock control(&control_mu_);
  const bool on_demand = request.stream_mode == StreamMode::kOnDemand;
  const int shard_count =
      on_demand ? on_demand_.initial_shard_count : request.shard_count;
  if (on_demand) BROOK_RETURN_IF_ERROR(CheckOnDemandQuota());
  {
    absl::MutexLock lock(&mu_);
    if (by_name_.contains(request.stream_name)) {
      return ResourceInUse(
          absl::StrCat("stream '", request.stream_name, "' already exists"));
    }
    if (total_shards_ + shard_count > max_shards_) {
      return LimitExceeded(absl::StrCat(
          "creating ", shard_count, " shards would exceed the limit of ",
          max_shards_, " shards (", total_shards_, " exist)"));
    }
  }
  if (next_stream_id_ == UINT32_MAX) {
    return LimitExceeded("every stream id has been used");
  }
  const uint32_t id = next_stream_id_;
  StreamMeta meta =
      NewStreamMeta(id, request.stream_name, shard_count, starting_counter);
  meta.creation_ms = absl::ToUnixMillis(now);
  meta.stream_mode = request.stream_mode;
  meta.max_record_size_kib = request.options.max_record_size_kib;
  StreamTags tags;
  for (const Tag& tag : request.tags) tags[tag.key] = tag.value;
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(meta);
  write.PutStreamLimits(id, request.options.limits);
  if (!tags.empty()) write.PutStreamTags(id, tags);
  write.PutNextStreamId(id + 1);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  next_stream_id_ = id + 1;
  auto stream = std::make_shared<StreamState>(
      std::move(meta), ArnOf(request.stream_name), request.options.limits, now);
  stream->set_tags(std::move(tags));
  if (on_demand) StartWriteCapacity(*stream, now);
  stream->keys().Restore(key_provider_, StreamEncryption());
  absl::MutexLock lock(&mu_);
  Register(std::move(stream));
  return absl::OkStatus();
}

void Catalog::StartWriteCapacity(StreamState& stream, absl::Time now) const {
  const StreamLimits limits = stream.limits();
  const int open = stream.open_shard_count();
  stream.write_capacity().Start(on_demand_,
                                {open * limits.write_bytes_per_second,
                                 open * limits.write_records_per_second},
                                int64_t{stream.max_record_size_kib()} * 1024,
                                now);
}

absl::Status Catalog::CheckOnDemandQuota() const {
  if (on_demand_stream_count() >= on_demand_.max_streams) {
    return LimitExceeded(absl::StrCat(
        "the account may have at most ", on_demand_.max_streams,
        " streams in ON_DEMAND mode (BrokerOptions::on_demand.max_streams)"));
  }
  return absl::OkStatus();
}

absl::Status Catalog::UpdateStreamMode(
    const std::shared_ptr<StreamState>& stream, StreamMode mode,
    absl::Time now) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  if (stream->stream_mode() == mode) {
    return InvalidArgument(absl::StrCat("stream '", stream->name(),
                                        "' is already in ",
                                        StreamModeToString(mode), " mode"));
  }
  // Kinesis allows two switches per rolling 24 hours.
  const int64_t now_ms = absl::ToUnixMillis(now);
  std::vector<int64_t> changes = stream->mode_change_ms();
  changes.erase(std::remove_if(changes.begin(), changes.end(),
                               [&](int64_t ms) {
                                 return ms <= now_ms - kModeChangeWindowMs;
                               }),
                changes.end());
  if (changes.size() >= kMaxModeChangesPerDay) {
    return LimitExceeded(
        absl::StrCat("stream '", stream->name(),
                     "' has switched its capacity mode ", kMaxModeChangesPerDay,
                     " times within 24 hours; it may switch again "
                     "24 hours after the first of them"));
  }
  if (mode == StreamMode::kOnDemand) {
    BROOK_RETURN_IF_ERROR(CheckOnDemandQuota());
  }
  changes.push_back(now_ms);
  StreamMeta meta = stream->meta();
  meta.stream_mode = mode;
  meta.mode_change_ms = changes;
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(meta);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  if (mode == StreamMode::kOnDemand) StartWriteCapacity(*stream, now);
  stream->SetStreamMode(mode, std::move(changes));
  return absl::OkStatus();
}

absl::Status Catalog::UpdateLimits(const std::shared_ptr<StreamState>& stream,
                                   const StreamLimits& limits, absl::Time now) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  StoreWrite write = store_->NewWrite();
  write.PutStreamLimits(stream->id(), limits);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->UpdateLimits(limits, now);
  return absl::OkStatus();
}

absl::Status Catalog::Reshard(const std::shared_ptr<StreamState>& stream,
                              const StreamMeta& after, int open_shard_delta,
                              absl::Time now) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  {
    absl::MutexLock lock(&mu_);
    if (open_shard_delta > 0 &&
        total_shards_ + open_shard_delta > max_shards_) {
      return LimitExceeded(absl::StrCat(
          "resharding stream '", stream->name(), "' would exceed the limit of ",
          max_shards_, " open shards (", total_shards_, " are open)"));
    }
  }
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(after);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->ApplyReshard(after, now);
  absl::MutexLock lock(&mu_);
  total_shards_ += open_shard_delta;
  return absl::OkStatus();
}

absl::Status Catalog::UpdateTags(
    const std::shared_ptr<StreamState>& stream,
    absl::FunctionRef<absl::Status(StreamTags&)> edit) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  StreamTags tags = stream->tags();
  BROOK_RETURN_IF_ERROR(edit(tags));
  StoreWrite write = store_->NewWrite();
  write.PutStreamTags(stream->id(), tags);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->set_tags(std::move(tags));
  return absl::OkStatus();
}

absl::Status Catalog::UpdateSettings(
    const std::shared_ptr<StreamState>& stream,
    absl::FunctionRef<absl::Status(StreamSettings&)> edit) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  StreamSettings settings = stream->settings();
  BROOK_RETURN_IF_ERROR(edit(settings));
  StoreWrite write = store_->NewWrite();
  write.PutStreamSettings(stream->id(), settings);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->set_settings(std::move(settings));
  return absl::OkStatus();
}

absl::Status Catalog::UpdateEncryption(
    const std::shared_ptr<StreamState>& stream,
    absl::FunctionRef<absl::Status(StreamEncryption&)> edit,
    const AesGcmKey* new_key) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  StreamEncryption encryption = stream->keys().stored();
  BROOK_RETURN_IF_ERROR(edit(encryption));
  StoreWrite write = store_->NewWrite();
  write.PutStreamEncryption(stream->id(), encryption);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->keys().Apply(std::move(encryption), new_key);
  return absl::OkStatus();
}

absl::Status Catalog::UpdateRetention(
    const std::shared_ptr<StreamState>& stream, int retention_hours) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  StreamMeta meta = stream->meta();
  meta.retention_hours = retention_hours;
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(meta);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->set_retention_hours(retention_hours);
  return absl::OkStatus();
}

absl::Status Catalog::UpdateMaxRecordSize(
    const std::shared_ptr<StreamState>& stream, int max_record_size_kib,
    absl::Time now) {
  absl::MutexLock control(&control_mu_);
  if (stream->deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream->name(), "' was deleted"));
  }
  StreamMeta meta = stream->meta();
  meta.max_record_size_kib = max_record_size_kib;
  StoreWrite write = store_->NewWrite();
  write.PutStreamMeta(meta);
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  stream->SetMaxRecordSize(max_record_size_kib, now);
  return absl::OkStatus();
}

std::vector<std::shared_ptr<StreamState>> Catalog::All() const {
  bool more = false;
  return ListAfter("", SIZE_MAX, &more);
}

absl::Status Catalog::WriteForLiveStream(const StreamState& stream,
                                         const StoreWrite& write,
                                         Durability durability) {
  absl::MutexLock control(&control_mu_);
  if (stream.deleted()) {
    return ResourceNotFound(
        absl::StrCat("stream '", stream.name(), "' was deleted"));
  }
  return store_->Write(write, durability);
}

absl::Status Catalog::Delete(const std::shared_ptr<StreamState>& stream) {
  absl::MutexLock control(&control_mu_);
  StoreWrite write = store_->NewWrite();
  write.DeleteStream(stream->id());
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  absl::MutexLock lock(&mu_);
  by_name_.erase(stream->name());
  by_id_.erase(stream->id());
  total_shards_ -= stream->open_shard_count();
  stream->MarkDeleted();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<StreamState>> Catalog::Find(
    absl::string_view name_or_arn) const {
  absl::string_view name = name_or_arn;
  if (absl::StartsWith(name_or_arn, "arn:")) {
    if (!absl::ConsumePrefix(&name, arn_prefix_)) {
      return ResourceNotFound(absl::StrCat("stream ARN '", name_or_arn,
                                           "' is not of this broker's region "
                                           "and account (",
                                           arn_prefix_, "...)"));
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return ResourceNotFound(
        absl::StrCat("stream '", name_or_arn, "' not found"));
  }
  return it->second;
}

std::shared_ptr<StreamState> Catalog::FindById(uint32_t id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<StreamState>> Catalog::ListAfter(
    absl::string_view exclusive_start_name, size_t limit, bool* more) const {
  std::vector<std::shared_ptr<StreamState>> streams;
  absl::MutexLock lock(&mu_);
  auto it = by_name_.upper_bound(exclusive_start_name);
  for (; it != by_name_.end() && streams.size() < limit; ++it) {
    streams.push_back(it->second);
  }
  *more = it != by_name_.end();
  return streams;
}

std::string Catalog::ArnOf(absl::string_view stream_name) const {
  return absl::StrCat(arn_prefix_, stream_name);
}

void Catalog::Register(std::shared_ptr<StreamState> stream) {
  total_shards_ += stream->open_shard_count();
  by_id_[stream->id()] = stream;
  by_name_[stream->name()] = std::move(stream);
}

int Catalog::on_demand_stream_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(
      std::count_if(by_name_.begin(), by_name_.end(), [](const auto& entry) {
        return entry.second->stream_mode() == StreamMode::kOnDemand;
      }));
}

int Catalog::open_shard_count() const {
  absl::MutexLock lock(&mu_);
  return total_shards_;
}

}  // namespace brook
