#include "testing/fault_fs.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"

namespace brook::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

uint64_t Footprint(const FaultFileSystem::FileState& state)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mu) {
  return std::max(state.size, state.allocated);
}

// A file whose writes, syncs and allocations go through the file system's
// faults and quota, and whose size and synced size it tracks.
class FaultWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                    FaultFileSystem* fs,
                    std::shared_ptr<FaultFileSystem::FileState> state)
      : FSWritableFileOwnerWrapper(std::move(file)),
        fs_(fs),
        state_(std::move(state)) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* debug) override {
    return Grow(FaultOp::kWrite, End() + data.size(), /*allocation=*/false,
                [&] { return target()->Append(data, options, debug); });
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* debug) override {
    return Grow(FaultOp::kWrite, End() + data.size(), /*allocation=*/false,
                [&] { return target()->Append(data, options, info, debug); });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* debug) override {
    return Grow(FaultOp::kWrite, std::max(End(), offset + data.size()),
                /*allocation=*/false, [&] {
                  return target()->PositionedAppend(data, offset, options,
                                                    debug);
                });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* debug) override {
    return Grow(FaultOp::kWrite, std::max(End(), offset + data.size()),
                /*allocation=*/false, [&] {
                  return target()->PositionedAppend(data, offset, options, info,
                                                    debug);
                });
  }
  IOStatus Allocate(uint64_t offset, uint64_t len, const IOOptions& options,
                    IODebugContext* debug) override {
    return Grow(FaultOp::kAllocate, offset + len, /*allocation=*/true, [&] {
      return target()->Allocate(offset, len, options, debug);
    });
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options,
                    IODebugContext* debug) override {
    IOStatus status = target()->Truncate(size, options, debug);
    if (!status.ok()) return status;
    uint64_t shrink = 0;
    {
      absl::MutexLock lock(&state_->mu);
      const uint64_t before = Footprint(*state_);
      state_->size = size;
      state_->allocated = std::min(state_->allocated, size);
      shrink = before - Footprint(*state_);
    }
    fs_->Refund(shrink);
    return status;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* debug) override {
    return Synced([&] { return target()->Sync(options, debug); });
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* debug) override {
    return Synced([&] { return target()->Fsync(options, debug); });
  }

 private:
  uint64_t End() {
    absl::MutexLock lock(&state_->mu);
    return state_->size;
  }

  // Runs `operation`, which brings the file's end (or its allocation) to
  // `new_end`, unless a fault or the quota refuses it.
  template <typename Operation>
  IOStatus Grow(FaultOp op, uint64_t new_end, bool allocation,
                Operation operation) {
    IOStatus status = fs_->MaybeFail(op, state_->name);
    if (!status.ok()) return status;
    uint64_t growth = 0;
    {
      absl::MutexLock lock(&state_->mu);
      const uint64_t before = Footprint(*state_);
      const uint64_t after =
          std::max(before, new_end);  // Neither shrinks a file.
      growth = after - before;
    }
    status = fs_->Charge(state_->name, growth);
    if (!status.ok()) return status;
    status = operation();
    if (!status.ok()) {
      fs_->Refund(growth);
      return status;
    }
    absl::MutexLock lock(&state_->mu);
    if (allocation) {
      state_->allocated = std::max(state_->allocated, new_end);
    } else {
      state_->size = std::max(state_->size, new_end);
    }
    return status;
  }

  // Runs the sync `operation` unless a fault refuses it; on success, every
  // byte written before it started is synced.
  template <typename Operation>
  IOStatus Synced(Operation operation) {
    IOStatus status = fs_->MaybeFail(FaultOp::kSync, state_->name);
    if (!status.ok()) return status;
    const uint64_t written = End();
    status = operation();
    if (status.ok()) {
      absl::MutexLock lock(&state_->mu);
      state_->synced = std::max(state_->synced, written);
    }
    return status;
  }

  FaultFileSystem* const fs_;
  const std::shared_ptr<FaultFileSystem::FileState> state_;
};

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

}  // namespace

FaultFileSystem::FaultFileSystem()
    : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

void FaultFileSystem::Inject(const Fault& fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(ArmedFault{fault});
}

void FaultFileSystem::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
}

int FaultFileSystem::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

int64_t FaultFileSystem::log_appends() const {
  absl::MutexLock lock(&mu_);
  return log_appends_;
}

void FaultFileSystem::SetQuota(const std::string& dir, uint64_t quota_bytes) {
  const uint64_t used = DirectoryBytes(dir);
  absl::MutexLock lock(&mu_);
  has_quota_ = true;
  quota_ = quota_bytes;
  used_ = used;
}

void FaultFileSystem::SetSpaceTakenElsewhere(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  taken_elsewhere_ = bytes;
}

uint64_t FaultFileSystem::used_bytes() const {
  absl::MutexLock lock(&mu_);
  return used_;
}

void FaultFileSystem::HoldWrites(const std::string& file_part) {
  absl::MutexLock lock(&mu_);
  holding_ = true;
  hold_part_ = file_part;
}

void FaultFileSystem::WaitForHeldWrite() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* held) { return *held > 0; }, &held_));
}

void FaultFileSystem::ReleaseWrites() {
  absl::MutexLock lock(&mu_);
  holding_ = false;
}

IOStatus FaultFileSystem::MaybeFail(FaultOp op, const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (op == FaultOp::kWrite && holding_ &&
      absl::StrContains(name, hold_part_)) {
    ++held_;
    mu_.Await(absl::Condition(
        +[](bool* holding) { return !*holding; }, &holding_));
    --held_;
  }
  if (op == FaultOp::kWrite && absl::EndsWith(name, ".log")) ++log_appends_;
  for (ArmedFault& armed : faults_) {
    const Fault& fault = armed.fault;
    if (fault.op != op || !absl::StrContains(name, fault.file_part)) continue;
    if (armed.skipped < fault.skip) {
      ++armed.skipped;
      continue;
    }
    if (fault.times >= 0 && armed.failed >= fault.times) continue;
    ++armed.failed;
    ++failures_;
    return fault.error == FaultError::kNoSpace
               ? IOStatus::NoSpace("injected ENOSPC", name)
               : IOStatus::IOError("injected EIO", name);
  }
  return IOStatus::OK();
}

IOStatus FaultFileSystem::Charge(const std::string& name, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  if (has_quota_ && used_ + taken_elsewhere_ + bytes > quota_) {
    ++failures_;
    return IOStatus::NoSpace("the test disk is full", name);
  }
  used_ += bytes;
  return IOStatus::OK();
}

void FaultFileSystem::Refund(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  used_ -= std::min(used_, bytes);
}

void FaultFileSystem::Wrap(const std::string& name, uint64_t existing_size,
                           std::unique_ptr<rocksdb::FSWritableFile>* file) {
  auto state = std::make_shared<FileState>();
  state->name = name;
  state->is_log = absl::EndsWith(name, ".log");
  {
    absl::MutexLock lock(&state->mu);
    state->size = existing_size;
    state->synced = existing_size;
  }
  {
    absl::MutexLock lock(&mu_);
    files_[name] = state;
  }
  *file = std::make_unique<FaultWritableFile>(std::move(*file), this,
                                              std::move(state));
}

uint64_t FaultFileSystem::Forget(const std::string& name) {
  auto it = files_.find(name);
  if (it == files_.end()) {
    uint64_t size = 0;
    return target()->GetFileSize(name, IOOptions(), &size, nullptr).ok() ? size
                                                                         : 0;
  }
  std::shared_ptr<FileState> state = std::move(it->second);
  files_.erase(it);
  absl::MutexLock lock(&state->mu);
  return Footprint(*state);
}

IOStatus FaultFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* debug) {
  {
    // Whatever the name held is truncated.
    absl::MutexLock lock(&mu_);
    const uint64_t old_bytes = Forget(name);
    used_ -= std::min(used_, old_bytes);
  }
  IOStatus status = target()->NewWritableFile(name, options, result, debug);
  if (status.ok()) Wrap(name, 0, result);
  return status;
}

IOStatus FaultFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* debug) {
  uint64_t size = 0;
  if (!target()->GetFileSize(name, IOOptions(), &size, nullptr).ok()) size = 0;
  IOStatus status = target()->ReopenWritableFile(name, options, result, debug);
  if (status.ok()) Wrap(name, size, result);
  return status;
}

IOStatus FaultFileSystem::DeleteFile(const std::string& name,
                                     const IOOptions& options,
                                     IODebugContext* debug) {
  absl::MutexLock lock(&mu_);
  const uint64_t bytes = Forget(name);
  IOStatus status = target()->DeleteFile(name, options, debug);
  if (status.ok()) used_ -= std::min(used_, bytes);
  return status;
}

IOStatus FaultFileSystem::RenameFile(const std::string& source,
                                     const std::string& target_name,
                                     const IOOptions& options,
                                     IODebugContext* debug) {
  IOStatus status = MaybeFail(FaultOp::kRename, target_name);
  if (!status.ok()) return status;
  absl::MutexLock lock(&mu_);
  status = target()->RenameFile(source, target_name, options, debug);
  if (!status.ok()) return status;
  // The target's old contents are gone; the source's move with its name.
  auto moved = files_.find(source);
  std::shared_ptr<FileState> state;
  if (moved != files_.end()) {
    state = std::move(moved->second);
    files_.erase(moved);
  }
  auto replaced = files_.find(target_name);
  if (replaced != files_.end()) {
    {
      // Released before the erase, which may destroy the state and its
      // mutex.
      absl::MutexLock file_lock(&replaced->second->mu);
      used_ -= std::min(used_, Footprint(*replaced->second));
    }
    files_.erase(replaced);
  }
  if (state != nullptr) files_[target_name] = std::move(state);
  return status;
}

IOStatus FaultFileSystem::GetFreeSpace(const std::string& path,
                                       const IOOptions& options,
                                       uint64_t* free_bytes,
                                       IODebugContext* debug) {
  {
    absl::MutexLock lock(&mu_);
    if (has_quota_) {
      *free_bytes = quota_ - std::min(quota_, used_ + taken_elsewhere_);
      return IOStatus::OK();
    }
  }
  return target()->GetFreeSpace(path, options, free_bytes, debug);
}

void FaultFileSystem::DropUnsyncedLogData() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, state] : files_) {
    if (!state->is_log) continue;
    std::error_code ignored;
    if (!std::filesystem::exists(name, ignored)) continue;
    absl::MutexLock state_lock(&state->mu);
    std::filesystem::resize_file(name, state->synced, ignored);
  }
}

}  // namespace brook::testing
