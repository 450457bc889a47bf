// brook lag STREAM --application-name APP: how far each checkpointing
// application is behind, per shard: the records after its checkpoint, and
// the milliseconds between the first of them and the newest record (the
// MillisBehindLatest a reader resuming there would see).

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "brook/error.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook::cli {
namespace {

struct LagFlags {
  std::string stream;
  std::vector<std::string> applications;
  int64_t max_count = 1000000;
  std::string output = "text";
};

struct ShardLag {
  std::string shard_id;
  std::string checkpoint = "-";  // The checkpointed sequence number.
  int64_t records = 0;
  bool more = false;  // Counting stopped at --max-count.
  int64_t millis = 0;
};

// Reads from `start` to the newest record, counting at most `max_count`.
absl::StatusOr<ShardLag> Measure(Broker& broker, GetShardIteratorRequest start,
                                 int64_t max_count) {
  ShardLag lag;
  lag.shard_id = start.shard_id;
  absl::StatusOr<GetShardIteratorResult> iterator =
      broker.GetShardIterator(start);
  if (!iterator.ok()) return iterator.status();
  GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  // MillisBehindLatest tells how far the end of a page is from the newest
  // record; the lag of the first unread record is that plus the page's span.
  absl::optional<absl::Time> first_arrival;
  while (!get.shard_iterator.empty()) {
    get.limit = static_cast<int>(
        std::min<int64_t>(GetRecordsRequest().limit,
                          std::max<int64_t>(1, max_count - lag.records)));
    absl::StatusOr<GetRecordsResult> page = broker.GetRecords(get);
    if (!page.ok() && ErrorNameOf(page.status()) ==
                          ErrorName::kProvisionedThroughputExceededException) {
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    if (!page.ok()) return page.status();
    if (!page->records.empty()) {
      if (!first_arrival.has_value()) {
        first_arrival = page->records.front().approximate_arrival_timestamp;
      }
      lag.millis = absl::ToInt64Milliseconds(
                       page->records.back().approximate_arrival_timestamp -
                       *first_arrival) +
                   page->millis_behind_latest;
    }
    lag.records += static_cast<int64_t>(page->records.size());
    if (lag.records >= max_count) {
      lag.more = true;
      break;
    }
    if (page->records.empty() && page->millis_behind_latest == 0) break;
    get.shard_iterator = page->next_shard_iterator;
  }
  return lag;
}

void Lag(Cli& cli, Broker& broker, const LagFlags& flags) {
  ListShardsRequest list;
  list.stream = flags.stream;
  absl::StatusOr<ListShardsResult> shards = broker.ListShards(list);
  if (!shards.ok()) return cli.Fail("listing shards", shards.status());
  const bool json = flags.output == "json";
  if (!json) {
    std::cout << absl::StrFormat("%-20s %-21s %-40s %10s %12s\n", "APPLICATION",
                                 "SHARD", "CHECKPOINT", "RECORDS", "MILLIS");
  }
  for (const std::string& application : flags.applications) {
    GetCheckpointsRequest request;
    request.stream = flags.stream;
    request.application_name = application;
    absl::StatusOr<GetCheckpointsResult> checkpoints =
        broker.GetCheckpoints(request);
    if (!checkpoints.ok()) {
      return cli.Fail("reading checkpoints", checkpoints.status());
    }
    std::map<std::string, Checkpoint> by_shard;
    for (const Checkpoint& c : checkpoints->checkpoints) {
      by_shard[c.shard_id] = c;
    }
    for (const Shard& shard : shards->shards) {
      GetShardIteratorRequest start;
      start.stream = flags.stream;
      start.shard_id = shard.shard_id;
      const auto it = by_shard.find(shard.shard_id);
      ShardLag lag;
      lag.shard_id = shard.shard_id;
      if (it != by_shard.end() && it->second.shard_end) {
        lag.checkpoint = "SHARD_END";
      } else {
        if (it != by_shard.end()) {
          start.shard_iterator_type = ShardIteratorType::kAfterSequenceNumber;
          start.starting_sequence_number = it->second.sequence_number;
        }
        absl::StatusOr<ShardLag> measured =
            Measure(broker, start, flags.max_count);
        if (!measured.ok()) {
          return cli.Fail(absl::StrCat("reading ", shard.shard_id),
                          measured.status());
        }
        lag = *measured;
        if (it != by_shard.end()) {
          lag.checkpoint = it->second.sequence_number.ToString();
        }
      }
      if (json) {
        std::cout << boost::json::serialize(boost::json::object{
                         {"application", application},
                         {"shard_id", lag.shard_id},
                         {"checkpoint", lag.checkpoint},
                         {"records_behind", lag.records},
                         {"records_behind_at_least", lag.more},
                         {"millis_behind_latest", lag.millis}})
                  << "\n";
      } else {
        std::cout << absl::StrFormat(
            "%-20s %-21s %-40s %9d%s %12d\n", application, lag.shard_id,
            lag.checkpoint, lag.records, lag.more ? "+" : " ", lag.millis);
      }
    }
  }
}

// The usage errors of `brook lag`, found before the streams are opened.
absl::Status CheckLagFlags(const LagFlags& f) {
  for (const std::string& application : f.applications) {
    BROOK_RETURN_IF_ERROR(
        CheckNotEmpty("--application-name", /*given=*/true, application,
                      "give the name the application checkpoints under"));
  }
  if (f.max_count < 1) {
    return InvalidArgument(absl::StrCat("--max-count ", f.max_count,
                                        " counts no record: give 1 or more"));
  }
  return absl::OkStatus();
}

}  // namespace

void AddLagCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<LagFlags>();
  CLI::App* cmd = app.add_subcommand(
      "lag",
      "How far checkpointing applications are behind, per shard: records "
      "after the checkpoint and milliseconds behind the newest record");
  cmd->add_option("stream", flags->stream, "The stream")->required();
  cmd->add_option("-a,--application-name", flags->applications,
                  "An application that checkpoints (repeat for several)")
      ->required();
  cmd->add_option("--max-count", flags->max_count,
                  "Stop counting a shard's records here (shown as N+)");
  cmd->add_option("--output", flags->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&cli, flags] {
    if (absl::Status s = CheckLagFlags(*flags); !s.ok()) {
      return cli.Fail("lag", s);
    }
    WithBroker(cli, [&](Broker& broker) { Lag(cli, broker, *flags); });
  });
}

}  // namespace brook::cli
