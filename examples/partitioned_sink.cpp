// A delivery stream, as Kinesis Data Firehose delivers to S3: a consumer
// (brook::Worker) writes a stream's records to files laid out by arrival
// hour, year=YYYY/month=MM/day=DD/hour=HH/, as gzip-compressed
// newline-delimited JSON, rolling files by size and by age.
//
// Nothing is lost or written twice, however the process ends:
//   - a file is written under a temporary name, then flushed, synced and
//     renamed into place, and only then is its last record checkpointed;
//   - a file is named after its shard and first record, so that a restart,
//     which resumes after the last checkpoint, rewrites the one file that
//     may have been renamed but not checkpointed, under the same name;
//   - temporary files of a crashed run are removed at start.
//
//   partitioned_sink [data-dir] [output-dir] [--sink-only]
//     (defaults: ./brook-data, ./brook-sink)
// Without --sink-only it first puts 2,000 records. It exits once every
// record is in a closed file and no new ones arrive. Its output says
// "wrote <file> <records>" when a file is in place, "committed <file>" when
// its records are checkpointed, and "idle" at the end.

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
// Boost.JSON used header-only: its implementation compiles into this program.
#include "boost/json/src.hpp"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/worker.h"

namespace {

namespace fs = std::filesystem;

constexpr char kStream[] = "deliveries";
constexpr int kDemoRecords = 2000;
// Roll a file at this many uncompressed bytes, or this long after it was
// opened.
constexpr size_t kMaxFileBytes = 16 << 10;
constexpr absl::Duration kMaxFileAge = absl::Milliseconds(500);
constexpr char kTempSuffix[] = ".tmp";

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

void Say(const std::string& line) {
  // One write(2) per line, so that a reader of a killed run sees whole lines.
  const std::string text = line + "\n";
  if (write(STDOUT_FILENO, text.data(), text.size()) < 0) std::perror("write");
}

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// year=YYYY/month=MM/day=DD/hour=HH of `arrival`, in UTC.
std::string HourPartition(absl::Time arrival) {
  return absl::FormatTime("year=%Y/month=%m/day=%d/hour=%H", arrival,
                          absl::UTCTimeZone());
}

// One gzip file being written under a temporary name.
class PartFile {
 public:
  static absl::StatusOr<std::unique_ptr<PartFile>> Open(fs::path path) {
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error) return absl::InternalError(error.message());
    const fs::path temp = path.string() + kTempSuffix;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return Errno(temp.string());
    // zlib closes its own copy of the descriptor; ours syncs the file.
    gzFile gz = gzdopen(dup(fd), "wb");
    if (gz == nullptr) {
      ::close(fd);
      return absl::InternalError("gzdopen failed");
    }
    return std::unique_ptr<PartFile>(
        new PartFile(std::move(path), temp, fd, gz));
  }

  ~PartFile() {
    if (gz_ != nullptr) gzclose(gz_);
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(const std::string& line) {
    if (gzwrite(gz_, line.data(), static_cast<unsigned>(line.size())) <= 0) {
      return absl::InternalError("gzwrite failed");
    }
    bytes_ += line.size();
    ++records_;
    return absl::OkStatus();
  }

  // Finishes the gzip stream, syncs the file, renames it into place and
  // syncs its directory: once this returns, the file survives a crash.
  absl::Status CloseDurably() {
    const int result = gzclose(gz_);
    gz_ = nullptr;
    if (result != Z_OK) return absl::InternalError("gzclose failed");
    if (fsync(fd_) != 0) return Errno("fsync");
    ::close(fd_);
    fd_ = -1;
    std::error_code error;
    fs::rename(temp_, path_, error);
    if (error) return absl::InternalError(error.message());
    const int dir = ::open(path_.parent_path().c_str(), O_RDONLY);
    if (dir < 0) return Errno("open directory");
    const int synced = fsync(dir);
    ::close(dir);
    return synced == 0 ? absl::OkStatus() : Errno("fsync directory");
  }

  const fs::path& path() const { return path_; }
  size_t bytes() const { return bytes_; }
  int records() const { return records_; }
  absl::Time opened() const { return opened_; }

 private:
  PartFile(fs::path path, fs::path temp, int fd, gzFile gz)
      : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), gz_(gz) {}

  const fs::path path_;
  const fs::path temp_;
  int fd_;
  gzFile gz_;
  size_t bytes_ = 0;
  int records_ = 0;
  const absl::Time opened_ = absl::Now();
};

// Which shards are caught up with nothing left to write, so that main()
// knows when to exit.
class Progress {
 public:
  void Set(const std::string& shard_id, bool idle) {
    absl::MutexLock lock(&mu_);
    idle_[shard_id] = idle;
  }
  void Forget(const std::string& shard_id) {
    absl::MutexLock lock(&mu_);
    idle_.erase(shard_id);
  }
  bool AllIdle() {
    absl::MutexLock lock(&mu_);
    if (idle_.empty()) return false;
    for (const auto& [shard_id, idle] : idle_) {
      if (!idle) return false;
    }
    return true;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, bool> idle_ ABSL_GUARDED_BY(mu_);
};

// One per shard: appends each record to the file of its arrival hour, and
// checkpoints only what closed files hold.
class SinkProcessor : public brook::RecordProcessor {
 public:
  SinkProcessor(fs::path root, Progress* progress)
      : root_(std::move(root)), progress_(progress) {}

  void Initialize(const brook::InitializationInput& input) override {
    shard_id_ = input.shard_id;
    progress_->Set(shard_id_, false);
  }

  void ProcessRecords(const brook::ProcessRecordsInput& input,
                      brook::Checkpointer& checkpointer) override {
    for (const brook::Record& record : input.records) {
      const std::string partition =
          HourPartition(record.approximate_arrival_timestamp);
      if (file_ != nullptr && partition != partition_) Roll(checkpointer);
      if (file_ == nullptr) Open(partition, record);
      Check(file_->Append(ToJsonLine(record)));
      last_in_file_ = record.sequence_number;
      if (file_->bytes() >= kMaxFileBytes) Roll(checkpointer);
    }
    // Called with no records too (process_empty_batches): roll by age.
    if (file_ != nullptr && absl::Now() - file_->opened() >= kMaxFileAge) {
      Roll(checkpointer);
    }
    progress_->Set(shard_id_, input.records.empty() && file_ == nullptr);
  }

  void ShardEnded(brook::Checkpointer& checkpointer) override {
    if (file_ != nullptr) Roll(checkpointer);
    Check(checkpointer.Checkpoint());  // The shard's end.
    progress_->Forget(shard_id_);
  }

  void Shutdown(brook::Checkpointer& checkpointer) override {
    if (file_ != nullptr) Roll(checkpointer);
    progress_->Forget(shard_id_);
  }

 private:
  // A failed write or checkpoint ends the process: the next run resumes
  // from the last checkpoint, which is always safe.
  static void Check(const absl::Status& status) {
    if (status.ok()) return;
    std::cerr << "error: " << status << "\n";
    std::_Exit(1);
  }

  static std::string ToJsonLine(const brook::Record& record) {
    boost::json::object line;
    line["sequence_number"] = record.sequence_number.ToString();
    line["partition_key"] = record.partition_key;
    line["arrival_ms"] =
        absl::ToUnixMillis(record.approximate_arrival_timestamp);
    line["data"] = record.data;
    return boost::json::serialize(line) + "\n";
  }

  void Open(const std::string& partition, const brook::Record& first) {
    partition_ = partition;
    absl::StatusOr<std::unique_ptr<PartFile>> file = PartFile::Open(
        root_ / partition /
        absl::StrCat("part-", shard_id_, "-", first.sequence_number.ToString(),
                     ".ndjson.gz"));
    Check(file.status());
    file_ = *std::move(file);
  }

  void Roll(brook::Checkpointer& checkpointer) {
    const std::string name = fs::relative(file_->path(), root_).string();
    Check(file_->CloseDurably());
    Say(absl::StrCat("wrote ", name, " ", file_->records()));
    Check(checkpointer.Checkpoint(last_in_file_));
    Say(absl::StrCat("committed ", name));
    file_.reset();
  }

  const fs::path root_;
  Progress* const progress_;
  std::string shard_id_;
  std::string partition_;
  std::unique_ptr<PartFile> file_;
  brook::SequenceNumber last_in_file_;
};

// Removes the temporary files a crashed run left.
void RemoveTemporaryFiles(const fs::path& root) {
  std::error_code error;
  if (!fs::exists(root, error)) return;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == kTempSuffix) fs::remove(entry.path());
  }
}

absl::Status ProduceDemoRecords(brook::Broker& broker) {
  brook::PutRecordsRequest batch;
  batch.stream = kStream;
  for (int i = 0; i < kDemoRecords; ++i) {
    batch.records.push_back({absl::StrCat("parcel-", i % 40),
                             absl::StrFormat("parcel %d scanned", i), ""});
    if (batch.records.size() == 500) {
      auto put = brook::PutRecordsWithRetry(broker, batch);
      if (!put.ok()) return put.status();
      batch.records.clear();
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "brook-data";
  const fs::path root = argc > 2 ? argv[2] : "brook-sink";
  const bool sink_only = argc > 3 && std::string(argv[3]) == "--sink-only";
  auto broker = brook::Broker::Open(brook::BrokerOptions(), dir);
  if (!broker.ok()) return Fail(broker.status());
  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 2;
  absl::Status created = (*broker)->CreateStream(create);
  if (!created.ok() && brook::ErrorNameOf(created) !=
                           brook::ErrorName::kResourceInUseException) {
    return Fail(created);
  }
  if (!sink_only) {
    if (absl::Status s = ProduceDemoRecords(**broker); !s.ok()) return Fail(s);
  }

  RemoveTemporaryFiles(root);
  Progress progress;
  brook::WorkerOptions options;
  options.stream = kStream;
  options.application_name = "partitioned-sink";
  options.process_empty_batches = true;  // Files roll by age when idle.
  options.idle_time_between_reads = absl::Milliseconds(50);
  auto worker = brook::Worker::Start(broker->get(), options, [&] {
    return std::make_unique<SinkProcessor>(root, &progress);
  });
  if (!worker.ok()) return Fail(worker.status());
  // Done when every shard stayed caught up, with no open file, a while.
  int idle_checks = 0;
  while (idle_checks < 5) {
    if ((*worker)->WaitUntilStopped(absl::Milliseconds(100))) break;
    idle_checks = progress.AllIdle() ? idle_checks + 1 : 0;
  }
  if (absl::Status stopped = (*worker)->Stop(); !stopped.ok()) {
    return Fail(stopped);
  }
  Say("idle");
  absl::Status closed = (*broker)->Close();
  if (!closed.ok()) return Fail(closed);
  return 0;
}
