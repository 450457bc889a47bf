#include "testing/power_loss_fs.h"

#include <filesystem>

#include "absl/strings/match.h"

namespace brook::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

// A log file that counts its bytes as they are appended and synced.
class TrackedLogFile : public rocksdb::FSWritableFileWrapper {
 public:
  TrackedLogFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                 std::shared_ptr<PowerLossFileSystem::LogState> state)
      : FSWritableFileWrapper(file.get()),
        file_(std::move(file)),
        state_(std::move(state)) {}

  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  IODebugContext* debug) override {
    IOStatus status = file_->Append(data, options, debug);
    if (status.ok()) Written(data.size());
    return status;
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* debug) override {
    IOStatus status = file_->Append(data, options, info, debug);
    if (status.ok()) Written(data.size());
    return status;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* debug) override {
    IOStatus status = file_->Sync(options, debug);
    if (status.ok()) Synced();
    return status;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* debug) override {
    IOStatus status = file_->Fsync(options, debug);
    if (status.ok()) Synced();
    return status;
  }

 private:
  void Written(uint64_t bytes) {
    absl::MutexLock lock(&state_->mu);
    state_->written += bytes;
  }
  void Synced() {
    absl::MutexLock lock(&state_->mu);
    state_->synced = state_->written;
  }

  std::unique_ptr<rocksdb::FSWritableFile> file_;
  std::shared_ptr<PowerLossFileSystem::LogState> state_;
};

}  // namespace

PowerLossFileSystem::PowerLossFileSystem()
    : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

IOStatus PowerLossFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* debug) {
  IOStatus status = target()->NewWritableFile(name, options, result, debug);
  if (!status.ok() || !absl::EndsWith(name, ".log")) return status;
  auto state = std::make_shared<LogState>();
  {
    absl::MutexLock lock(&mu_);
    logs_[name] = state;
  }
  *result = std::make_unique<TrackedLogFile>(std::move(*result), state);
  return status;
}

void PowerLossFileSystem::DropUnsyncedLogData() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, state] : logs_) {
    std::error_code ignored;
    if (!std::filesystem::exists(name, ignored)) continue;
    absl::MutexLock state_lock(&state->mu);
    std::filesystem::resize_file(name, state->synced, ignored);
  }
}

}  // namespace brook::testing
