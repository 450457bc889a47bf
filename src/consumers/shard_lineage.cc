#include "brook/shard_lineage.h"

#include <utility>

namespace brook {
namespace {

std::vector<std::string> ParentsOf(const Shard& shard) {
  std::vector<std::string> parents;
  for (const std::string* parent :
       {&shard.parent_shard_id, &shard.adjacent_parent_shard_id}) {
    if (!parent->empty()) parents.push_back(*parent);
  }
  return parents;
}

}  // namespace

ShardLineage::ShardLineage(Broker* broker, std::string stream)
    : broker_(broker), stream_(std::move(stream)) {}

absl::Status ShardLineage::Refresh() {
  std::vector<Shard> listed;
  ListShardsRequest request;
  request.stream = stream_;
  for (;;) {
    absl::StatusOr<ListShardsResult> page = broker_->ListShards(request);
    if (!page.ok()) return page.status();
    for (Shard& shard : page->shards) listed.push_back(std::move(shard));
    if (page->next_token.empty()) break;
    request = ListShardsRequest();
    request.next_token = std::move(page->next_token);
  }
  absl::MutexLock lock(&mu_);
  absl::flat_hash_set<std::string> kept;
  for (const Shard& shard : listed) kept.insert(shard.shard_id);
  for (const Shard& shard : listed) {
    std::vector<std::string> parents = ParentsOf(shard);
    for (const std::string& parent : parents) {
      if (!kept.contains(parent)) expired_.insert(parent);
    }
    Learn(shard.shard_id, std::move(parents));
  }
  // Known shards that are no longer kept have nothing left to read.
  for (auto& [shard_id, node] : shards_) {
    if (!kept.contains(shard_id)) node.state = State::kFinished;
  }
  return absl::OkStatus();
}

void ShardLineage::Learn(const std::string& shard_id,
                         std::vector<std::string> parents) {
  if (shards_.contains(shard_id)) return;
  Node node;
  node.parents = std::move(parents);
  shards_.emplace(shard_id, std::move(node));
}

bool ShardLineage::ParentsFinished(const Node& node) const {
  for (const std::string& parent : node.parents) {
    if (expired_.contains(parent)) continue;
    // A parent not learned yet is still to be read: it will be learned as
    // the child of a shard that is not finished.
    auto it = shards_.find(parent);
    if (it == shards_.end() || it->second.state != State::kFinished) {
      return false;
    }
  }
  return true;
}

absl::optional<std::string> ShardLineage::Acquire() {
  absl::MutexLock lock(&mu_);
  for (auto& [shard_id, node] : shards_) {
    if (node.state == State::kWaiting && ParentsFinished(node)) {
      node.state = State::kAcquired;
      return shard_id;
    }
  }
  return absl::nullopt;
}

void ShardLineage::Finish(absl::string_view shard_id,
                          const std::vector<ChildShard>& children) {
  absl::MutexLock lock(&mu_);
  shards_[std::string(shard_id)].state = State::kFinished;
  for (const ChildShard& child : children) {
    Learn(child.shard_id, child.parent_shards);
  }
}

void ShardLineage::Release(absl::string_view shard_id) {
  absl::MutexLock lock(&mu_);
  auto it = shards_.find(shard_id);
  if (it != shards_.end() && it->second.state == State::kAcquired) {
    it->second.state = State::kWaiting;
  }
}

int ShardLineage::unfinished_count() const {
  absl::MutexLock lock(&mu_);
  int count = 0;
  for (const auto& [shard_id, node] : shards_) {
    if (node.state != State::kFinished) ++count;
  }
  return count;
}

}  // namespace brook
