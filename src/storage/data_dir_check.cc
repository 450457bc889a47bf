#include "storage/data_dir_check.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/shard_ref.h"
#include "common/status_macros.h"
#include "storage/data_dir.h"
#include "storage/keys.h"
#include "storage/meta_check.h"
#include "storage/meta_reader.h"
#include "storage/shard_check.h"
#include "storage/store.h"

namespace brook {
namespace {

// Adds a DataLoss status to `problems`; returns any other error.
absl::Status AddDamage(const absl::Status& status,
                       std::vector<std::string>* problems) {
  if (status.code() != absl::StatusCode::kDataLoss) return status;
  problems->push_back(std::string(status.message()));
  return absl::OkStatus();
}

// Keys of `family` that belong to no shard of `streams`: the ranges between
// known shards must be empty.
absl::Status CheckNoStrayKeys(Store& store, Family family,
                              absl::string_view family_name,
                              const std::vector<StoredStream>& streams,
                              std::vector<std::string>* problems) {
  std::vector<KeyRange> gaps;
  std::string begin = AllShardKeys().begin;
  for (const StoredStream& stream : streams) {  // In stream id order.
    for (const ShardMeta& shard : stream.meta.shards) {
      KeyRange keys = ShardKeys(ShardRef{stream.meta.id, shard.index});
      gaps.push_back(KeyRange{begin, keys.begin});
      begin = std::move(keys.end);
    }
  }
  gaps.push_back(KeyRange{begin, AllShardKeys().end});
  for (KeyRange& gap : gaps) {
    if (gap.begin >= gap.end) continue;
    StoreIterator it = store.NewIterator(family, std::move(gap));
    it.SeekToFirst();
    if (it.Valid()) {
      absl::StatusOr<ShardRef> shard = ParseShardOfKey(it.key());
      problems->push_back(
          shard.ok() ? absl::StrCat("the ", family_name,
                                    " family holds keys of stream id ",
                                    shard->stream_id, " shard index ",
                                    shard->shard_index, ", which no stream has")
                     : absl::StrCat("the ", family_name,
                                    " family holds a key of no shard"));
    }
    BROOK_RETURN_IF_ERROR(AddDamage(it.status(), problems));
  }
  return absl::OkStatus();
}

// The counters and ids that a reopened Broker continues from must be above
// every one in use.
void CheckCounters(const std::vector<StoredStream>& streams,
                   uint64_t highest_counter,
                   const absl::optional<uint64_t>& reservation,
                   const absl::optional<uint32_t>& next_stream_id,
                   std::vector<std::string>* problems) {
  if (streams.empty()) return;
  if (!reservation.has_value() || *reservation <= highest_counter) {
    problems->push_back(absl::StrCat(
        "the counter reservation (",
        reservation.has_value() ? absl::StrCat(*reservation) : "none",
        ") is not above the highest counter in use (", highest_counter,
        "): sequence numbers could be handed out again"));
  }
  const uint32_t highest_id = streams.back().meta.id;
  if (!next_stream_id.has_value() || *next_stream_id <= highest_id) {
    problems->push_back(absl::StrCat(
        "the next stream id (",
        next_stream_id.has_value() ? absl::StrCat(*next_stream_id) : "none",
        ") is not above the highest stream id in use (", highest_id, ")"));
  }
}

class DataDirVerifier {
 public:
  DataDirVerifier(Store& store,
                  absl::FunctionRef<void(const VerifyProgress&)> progress)
      : store_(store), reader_(&store), progress_(progress) {}

  absl::StatusOr<VerifyReport> Run() && {
    BROOK_RETURN_IF_ERROR(AddDamage(store_.VerifyChecksums(), &problems()));
    absl::StatusOr<std::vector<StoredStream>> streams = reader_.Streams();
    if (!streams.ok()) {
      BROOK_RETURN_IF_ERROR(AddDamage(streams.status(), &problems()));
      problems().push_back("the streams cannot be read; nothing more checked");
      return std::move(report_);
    }
    report_.streams = static_cast<int>(streams->size());
    for (const StoredStream& stream : *streams) {
      progress_total_ += static_cast<int>(stream.meta.shards.size());
    }
    CheckStreamNames(*streams);
    for (const StoredStream& stream : *streams) {
      BROOK_RETURN_IF_ERROR(CheckStream(stream.meta));
    }
    BROOK_RETURN_IF_ERROR(CheckNoStrayKeys(store_, Family::kRecords, "records",
                                           *streams, &problems()));
    BROOK_RETURN_IF_ERROR(CheckNoStrayKeys(
        store_, Family::kTimeIndex, "time index", *streams, &problems()));
    BROOK_RETURN_IF_ERROR(CheckConsumers(*streams));
    BROOK_RETURN_IF_ERROR(CheckRemoteCheckpoints());
    BROOK_RETURN_IF_ERROR(CheckSingleValues(*streams));
    return std::move(report_);
  }

 private:
  std::vector<std::string>& problems() { return report_.problems; }

  void CheckStreamNames(const std::vector<StoredStream>& streams) {
    absl::flat_hash_set<std::string> names;
    for (const StoredStream& stream : streams) {
      if (!names.insert(stream.meta.name).second) {
        problems().push_back(
            absl::StrCat("two streams are named '", stream.meta.name, "'"));
      }
    }
  }

  absl::Status CheckStream(const StreamMeta& meta) {
    for (std::string& problem : CheckStreamMeta(meta)) {
      problems().push_back(std::move(problem));
    }
    for (const ShardMeta& shard : meta.shards) {
      highest_counter_ = std::max({highest_counter_, shard.starting_counter,
                                   shard.ending_counter.value_or(0)});
      const std::string where =
          absl::StrCat("stream '", meta.name, "' ", ShardIdOf(shard.index));
      BROOK_ASSIGN_OR_RETURN(
          ShardCheckStats stats,
          CheckShardLog(store_, ShardRef{meta.id, shard.index}, shard, where,
                        &problems()));
      ++report_.shards;
      report_.batches += stats.batches;
      report_.damaged_batches += stats.damaged_batches;
      report_.records += stats.records;
      report_.bytes += stats.bytes;
      highest_counter_ =
          std::max(highest_counter_, stats.last_counter.value_or(0));
      progress_(VerifyProgress{report_.shards, progress_total_, report_.records,
                               report_.bytes});
    }
    absl::StatusOr<std::vector<MetaReader::ApplicationCheckpoint>> checkpoints =
        reader_.AllCheckpoints(meta.id);
    if (!checkpoints.ok()) return AddDamage(checkpoints.status(), &problems());
    for (const auto& entry : *checkpoints) {
      ++report_.checkpoints;
      for (std::string& problem : CheckCheckpoint(
               meta, entry.application, entry.shard_index, entry.checkpoint)) {
        problems().push_back(std::move(problem));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckConsumers(const std::vector<StoredStream>& streams) {
    absl::StatusOr<std::vector<StoredConsumer>> consumers = reader_.Consumers();
    if (!consumers.ok()) return AddDamage(consumers.status(), &problems());
    absl::flat_hash_set<uint32_t> ids;
    for (const StoredStream& stream : streams) ids.insert(stream.meta.id);
    for (const StoredConsumer& consumer : *consumers) {
      ++report_.consumers;
      if (!ids.contains(consumer.stream_id)) {
        problems().push_back(
            absl::StrCat("consumer '", consumer.name, "' belongs to stream id ",
                         consumer.stream_id, ", which no stream has"));
      }
    }
    return absl::OkStatus();
  }

  // Remote streams' checkpoints belong to no stream here: each is only
  // decoded.
  absl::Status CheckRemoteCheckpoints() {
    absl::StatusOr<int> count = reader_.CountRemoteCheckpoints();
    if (!count.ok()) return AddDamage(count.status(), &problems());
    report_.checkpoints += *count;
    return absl::OkStatus();
  }

  absl::Status CheckSingleValues(const std::vector<StoredStream>& streams) {
    absl::StatusOr<absl::optional<uint64_t>> reservation =
        reader_.CounterReservation();
    absl::StatusOr<absl::optional<uint32_t>> next_stream_id =
        reader_.NextStreamId();
    absl::StatusOr<absl::optional<std::string>> token_key = reader_.TokenKey();
    for (const absl::Status& status :
         {reservation.status(), next_stream_id.status(), token_key.status()}) {
      BROOK_RETURN_IF_ERROR(AddDamage(status, &problems()));
    }
    if (reservation.ok() && next_stream_id.ok()) {
      CheckCounters(streams, highest_counter_, *reservation, *next_stream_id,
                    &problems());
    }
    return absl::OkStatus();
  }

  Store& store_;
  MetaReader reader_;
  absl::FunctionRef<void(const VerifyProgress&)> progress_;
  VerifyReport report_;
  int progress_total_ = 0;
  uint64_t highest_counter_ = 0;
};

// The report of a directory whose damage stops the check before anything
// is counted: the damage as its one problem. Errors other than DataLoss
// are returned as they are.
absl::StatusOr<VerifyReport> UncheckableReport(const absl::Status& damage) {
  VerifyReport report;
  BROOK_RETURN_IF_ERROR(AddDamage(damage, &report.problems));
  report.problems.back() += "; nothing more checked";
  return report;
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyDataDir(
    const std::string& dir,
    absl::FunctionRef<void(const VerifyProgress&)> progress) {
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      DataDirLock::AcquireToRead(dir);
  if (!lock.ok()) return UncheckableReport(lock.status());
  StoreOptions options;
  options.read_only = true;
  options.format_version = (*lock)->format_version();
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open((*lock)->store_path(), options);
  if (!store.ok()) return UncheckableReport(store.status());
  absl::StatusOr<VerifyReport> report =
      DataDirVerifier(**store, progress).Run();
  BROOK_RETURN_IF_ERROR((*store)->Close());
  return report;
}

}  // namespace brook
