#include "consumers/consumer_registry.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/meta_reader.h"

namespace brook {
namespace {

uint64_t NextConsumerId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}
constexpr absl::string_view kArnConsumerPart = "/consumer/";

}  // namespace

ConsumerState::ConsumerState(uint32_t stream_id, std::string name,
                             ConsumerMeta meta, std::string stream_arn)
    : id_(NextConsumerId()),
      stream_id_(stream_id),
      name_(std::move(name)),
      creation_ms_(meta.creation_ms),
      stream_arn_(std::move(stream_arn)),
      arn_(absl::StrCat(stream_arn_, kArnConsumerPart, name_, ":",
                        creation_ms_ / 1000)),
      meta_(std::move(meta)) {}

ConsumerMeta ConsumerState::meta() const {
  absl::MutexLock lock(&mu_);
  return meta_;
}

void ConsumerState::set_meta(ConsumerMeta meta) {
  absl::MutexLock lock(&mu_);
  meta_ = std::move(meta);
}

Consumer ConsumerState::Describe() const {
  Consumer consumer;
  consumer.consumer_name = name_;
  consumer.consumer_arn = arn_;
  consumer.consumer_status = ConsumerStatus::kActive;
  consumer.consumer_creation_timestamp = absl::FromUnixMillis(creation_ms_);
  consumer.stream_arn = stream_arn_;
  return consumer;
}

ConsumerRegistry::ConsumerRegistry(Store* store, Catalog* catalog,
                                   int max_consumers_per_stream)
    : store_(store),
      catalog_(catalog),
      max_consumers_per_stream_(max_consumers_per_stream) {}

absl::Status ConsumerRegistry::Load() {
  BROOK_ASSIGN_OR_RETURN(std::vector<StoredConsumer> stored,
                         MetaReader(store_).Consumers());
  absl::MutexLock lock(&mu_);
  for (StoredConsumer& consumer : stored) {
    std::shared_ptr<StreamState> stream =
        catalog_->FindById(consumer.stream_id);
    if (stream == nullptr) continue;  // Deleted with its stream.
    const std::string name = consumer.name;
    by_stream_[consumer.stream_id][name] = std::make_shared<ConsumerState>(
        consumer.stream_id, std::move(consumer.name), std::move(consumer.meta),
        stream->arn());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<ConsumerState>> ConsumerRegistry::Register(
    const StreamState& stream, const std::string& name,
    const std::vector<Tag>& tags, absl::Time now) {
  absl::MutexLock lock(&mu_);
  StreamConsumers& consumers = by_stream_[stream.id()];
  if (consumers.contains(name)) {
    return ResourceInUse(absl::StrCat("consumer '", name,
                                      "' is already registered with stream '",
                                      stream.name(), "'"));
  }
  if (static_cast<int>(consumers.size()) >= max_consumers_per_stream_) {
    return LimitExceeded(absl::StrCat("stream '", stream.name(), "' has ",
                                      consumers.size(), " consumers, the most ",
                                      "allowed"));
  }
  ConsumerMeta meta;
  meta.creation_ms = absl::ToUnixMillis(now);
  for (const Tag& tag : tags) meta.tags[tag.key] = tag.value;
  StoreWrite write = store_->NewWrite();
  write.PutConsumer(stream.id(), name, meta);
  // Not for a stream deleted meanwhile: its consumer keys are gone.
  BROOK_RETURN_IF_ERROR(
      catalog_->WriteForLiveStream(stream, write, Durability::kSync));
  auto consumer = std::make_shared<ConsumerState>(
      stream.id(), name, std::move(meta), stream.arn());
  consumers[name] = consumer;
  return consumer;
}

absl::Status ConsumerRegistry::Update(
    const std::shared_ptr<ConsumerState>& consumer,
    absl::FunctionRef<absl::Status(ConsumerMeta&)> update) {
  absl::MutexLock lock(&mu_);
  auto stream_consumers = by_stream_.find(consumer->stream_id());
  const std::shared_ptr<StreamState> stream =
      catalog_->FindById(consumer->stream_id());
  if (stream == nullptr || stream_consumers == by_stream_.end() ||
      !stream_consumers->second.contains(consumer->name()) ||
      stream_consumers->second.at(consumer->name()) != consumer) {
    return ResourceNotFound(
        absl::StrCat("consumer '", consumer->name(), "' was deregistered"));
  }
  ConsumerMeta meta = consumer->meta();
  BROOK_RETURN_IF_ERROR(update(meta));
  StoreWrite write = store_->NewWrite();
  write.PutConsumer(consumer->stream_id(), consumer->name(), meta);
  BROOK_RETURN_IF_ERROR(
      catalog_->WriteForLiveStream(*stream, write, Durability::kSync));
  consumer->set_meta(std::move(meta));
  return absl::OkStatus();
}

absl::Status ConsumerRegistry::Deregister(
    const std::shared_ptr<ConsumerState>& consumer) {
  absl::MutexLock lock(&mu_);
  StoreWrite write = store_->NewWrite();
  write.DeleteConsumer(consumer->stream_id(), consumer->name());
  BROOK_RETURN_IF_ERROR(store_->Write(write, Durability::kSync));
  by_stream_[consumer->stream_id()].erase(consumer->name());
  consumer->MarkDeleted();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<ConsumerState>> ConsumerRegistry::FindInStream(
    uint32_t stream_id, absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto stream = by_stream_.find(stream_id);
  if (stream != by_stream_.end()) {
    auto it = stream->second.find(name);
    if (it != stream->second.end()) return it->second;
  }
  return ResourceNotFound(absl::StrCat("consumer '", name, "' not found"));
}

absl::StatusOr<std::shared_ptr<ConsumerState>> ConsumerRegistry::Find(
    const ConsumerRef& ref) const {
  if (!ref.consumer_arn.empty()) {
    // <stream ARN>/consumer/<name>:<creation seconds>
    const size_t part =
        absl::string_view(ref.consumer_arn).rfind(kArnConsumerPart);
    const size_t colon = ref.consumer_arn.rfind(':');
    if (part == std::string::npos || colon == std::string::npos ||
        colon < part) {
      return InvalidArgument(
          absl::StrCat("'", ref.consumer_arn, "' is not a consumer ARN"));
    }
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                           catalog_->Find(ref.consumer_arn.substr(0, part)));
    const std::string name = ref.consumer_arn.substr(
        part + kArnConsumerPart.size(), colon - part - kArnConsumerPart.size());
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<ConsumerState> consumer,
                           FindInStream(stream->id(), name));
    if (consumer->arn() != ref.consumer_arn) {
      return ResourceNotFound(absl::StrCat("consumer ARN '", ref.consumer_arn,
                                           "' names a deregistered consumer"));
    }
    return consumer;
  }
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<StreamState> stream,
                         catalog_->Find(ref.stream));
  return FindInStream(stream->id(), ref.consumer_name);
}

std::vector<std::shared_ptr<ConsumerState>> ConsumerRegistry::List(
    uint32_t stream_id, absl::string_view exclusive_start_name, size_t limit,
    bool* more) const {
  std::vector<std::shared_ptr<ConsumerState>> consumers;
  *more = false;
  absl::MutexLock lock(&mu_);
  auto stream = by_stream_.find(stream_id);
  if (stream == by_stream_.end()) return consumers;
  auto it = stream->second.upper_bound(exclusive_start_name);
  for (; it != stream->second.end() && consumers.size() < limit; ++it) {
    consumers.push_back(it->second);
  }
  *more = it != stream->second.end();
  return consumers;
}

int ConsumerRegistry::CountFor(uint32_t stream_id) const {
  absl::MutexLock lock(&mu_);
  auto stream = by_stream_.find(stream_id);
  return stream == by_stream_.end() ? 0
                                    : static_cast<int>(stream->second.size());
}

std::vector<std::shared_ptr<ConsumerState>> ConsumerRegistry::ForgetStream(
    uint32_t stream_id) {
  std::vector<std::shared_ptr<ConsumerState>> forgotten;
  absl::MutexLock lock(&mu_);
  auto stream = by_stream_.find(stream_id);
  if (stream == by_stream_.end()) return forgotten;
  for (auto& [name, consumer] : stream->second) {
    consumer->MarkDeleted();
    forgotten.push_back(consumer);
  }
  by_stream_.erase(stream);
  return forgotten;
}

}  // namespace brook
