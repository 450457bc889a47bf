// brook tail STREAM: reads records from one shard or from every shard in
// lineage order (a child only once its parents are read to their ends, as
// brook/shard_lineage.h hands them out), polling each shard in turn, and
// prints them; stops at the newest records unless --follow.

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "brook/shard_lineage.h"
#include "cli/cli.h"
#include "cli/record_format.h"
#include "common/epoch_seconds.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook::cli {
namespace {

// Kinesis allows 5 GetRecords calls per second per shard: an idle round
// waits this long.
constexpr absl::Duration kIdlePoll = absl::Milliseconds(200);

struct TailFlags {
  std::string stream;
  std::string shard_id;
  std::string iterator_type = "TRIM_HORIZON";
  std::string starting_sequence_number;
  std::string timestamp;
  bool follow = false;
  int64_t count = 0;
  std::string output = "text";
  std::string format;
};

absl::StatusOr<ShardIteratorType> ParseIteratorType(absl::string_view name) {
  for (ShardIteratorType type :
       {ShardIteratorType::kTrimHorizon, ShardIteratorType::kLatest,
        ShardIteratorType::kAtSequenceNumber,
        ShardIteratorType::kAfterSequenceNumber,
        ShardIteratorType::kAtTimestamp}) {
    if (ShardIteratorTypeToString(type) == name) return type;
  }
  return InvalidArgument(
      absl::StrCat("unknown shard iterator type '", name, "'"));
}

// A timestamp as the AWS CLI takes one: Unix seconds (with a fraction),
// within the range brookd takes, or RFC 3339.
absl::StatusOr<absl::Time> ParseTimestamp(const std::string& text) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (absl::optional<absl::Time> time = TimeOfEpochSeconds(seconds)) {
      return *time;
    }
    return InvalidArgument(absl::StrCat(
        "bad --timestamp '", text,
        "': Unix seconds within 1e11 of 1970 (about 3,000 years either "
        "way), or RFC 3339"));
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return time;
  return InvalidArgument(
      absl::StrCat("bad --timestamp '", text, "': Unix seconds or RFC 3339"));
}

// Where reading starts, per the flags: the usage errors of `brook tail`,
// found before the streams are opened. `cmd` tells which flags were given,
// even as "".
absl::StatusOr<GetShardIteratorRequest> StartOf(const TailFlags& flags,
                                                const CLI::App& cmd) {
  BROOK_RETURN_IF_ERROR(
      CheckNotEmpty("--shard-id", cmd.count("--shard-id") > 0, flags.shard_id,
                    "give the shard to read, or leave the flag out to read "
                    "every shard"));
  GetShardIteratorRequest start;
  BROOK_ASSIGN_OR_RETURN(start.shard_iterator_type,
                         ParseIteratorType(flags.iterator_type));
  const ShardIteratorType type = start.shard_iterator_type;
  if (type == ShardIteratorType::kAtSequenceNumber ||
      type == ShardIteratorType::kAfterSequenceNumber) {
    if (flags.shard_id.empty()) {
      return InvalidArgument(
          "a starting sequence number is of one shard: give --shard-id");
    }
    BROOK_ASSIGN_OR_RETURN(
        start.starting_sequence_number,
        SequenceNumber::Parse(flags.starting_sequence_number));
  }
  if (type == ShardIteratorType::kAtTimestamp) {
    BROOK_ASSIGN_OR_RETURN(start.timestamp, ParseTimestamp(flags.timestamp));
  }
  return start;
}

// One shard being read.
struct ShardReader {
  std::string shard_id;
  std::string iterator;
  bool from_lineage = false;
};

class Tail {
 public:
  Tail(Cli& cli, Broker& broker, const TailFlags& flags,
       GetShardIteratorRequest start, RecordFormatter formatter)
      : cli_(cli),
        broker_(broker),
        flags_(flags),
        formatter_(std::move(formatter)),
        lineage_(&broker, flags.stream),
        progress_(cli),
        start_(std::move(start)) {}

  void Run() {
    if (absl::Status s = Start(); !s.ok()) return cli_.Fail("tail", s);
    while (!readers_.empty() && !Done()) {
      bool any = false;
      for (size_t i = 0; i < readers_.size() && !Done();) {
        absl::StatusOr<bool> keep = Poll(readers_[i], &any);
        if (!keep.ok()) {
          return cli_.Fail(absl::StrCat("reading ", readers_[i].shard_id),
                           keep.status());
        }
        if (*keep) {
          ++i;
        } else {
          readers_.erase(readers_.begin() + i);
        }
      }
      if (absl::Status s = AcquireReady(); !s.ok()) {
        return cli_.Fail("listing shards", s);
      }
      std::cout << std::flush;
      if (!any) absl::SleepFor(kIdlePoll);
    }
  }

 private:
  bool Done() const { return flags_.count > 0 && printed_ >= flags_.count; }

  // Opens the shard asked for, or every shard the lineage can hand out
  // now. Across the lineage, LATEST is "records that arrive from now on",
  // in every shard including children that open later: AT_TIMESTAMP of the
  // start.
  absl::Status Start() {
    if (!flags_.shard_id.empty()) {
      return Open(flags_.shard_id, /*from_lineage=*/false);
    }
    if (start_.shard_iterator_type == ShardIteratorType::kLatest) {
      start_.shard_iterator_type = ShardIteratorType::kAtTimestamp;
      start_.timestamp = absl::Now();
    }
    if (absl::Status s = lineage_.Refresh(); !s.ok()) return s;
    return AcquireReady();
  }

  // Opens a reader on every shard the lineage can hand out now.
  absl::Status AcquireReady() {
    if (!flags_.shard_id.empty()) return absl::OkStatus();
    while (absl::optional<std::string> shard_id = lineage_.Acquire()) {
      if (absl::Status s = Open(*shard_id, true); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Open(const std::string& shard_id, bool from_lineage) {
    GetShardIteratorRequest request = start_;
    request.stream = flags_.stream;
    request.shard_id = shard_id;
    absl::StatusOr<GetShardIteratorResult> iterator =
        broker_.GetShardIterator(request);
    if (!iterator.ok()) return iterator.status();
    readers_.push_back({shard_id, iterator->shard_iterator, from_lineage});
    return absl::OkStatus();
  }

  // Reads one page of `reader`'s shard and prints it; returns whether to
  // keep reading the shard.
  absl::StatusOr<bool> Poll(ShardReader& reader, bool* any) {
    GetRecordsRequest request;
    request.shard_iterator = reader.iterator;
    absl::StatusOr<GetRecordsResult> page = broker_.GetRecords(request);
    if (!page.ok()) {
      if (ErrorNameOf(page.status()) ==
          ErrorName::kProvisionedThroughputExceededException) {
        return true;  // The idle wait paces the next call.
      }
      return page.status();
    }
    std::string out;
    const RecordPlace place{flags_.stream, reader.shard_id};
    for (const Record& record : page->records) {
      if (Done()) break;
      formatter_.Append(place, record, &out);
      ++printed_;
    }
    std::cout << out;
    if (!page->records.empty()) {
      *any = true;
      progress_.Show(absl::StrCat("read ", printed_, " records"));
    }
    if (page->next_shard_iterator.empty()) {  // A closed shard, read whole.
      if (reader.from_lineage) {
        lineage_.Finish(reader.shard_id, page->child_shards);
      }
      return false;
    }
    reader.iterator = page->next_shard_iterator;
    const bool at_tip =
        page->records.empty() && page->millis_behind_latest == 0;
    return flags_.follow || !at_tip;
  }

  Cli& cli_;
  Broker& broker_;
  const TailFlags& flags_;
  const RecordFormatter formatter_;
  ShardLineage lineage_;
  Progress progress_;
  // Where each shard starts.
  GetShardIteratorRequest start_;
  std::vector<ShardReader> readers_;
  int64_t printed_ = 0;
};

absl::StatusOr<RecordFormatter> FormatterOf(const TailFlags& flags) {
  if (!flags.format.empty()) return RecordFormatter::Parse(flags.format);
  absl::StatusOr<OutputFormat> output = ParseOutputFormat(flags.output);
  if (!output.ok()) return output.status();
  return RecordFormatter::ForOutput(*output);
}

}  // namespace

void AddTailCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<TailFlags>();
  CLI::App* cmd = app.add_subcommand(
      "tail",
      "Print a stream's records: every shard in lineage order (parents "
      "before children), or one; exits at the newest record unless "
      "--follow");
  cmd->add_option("stream", flags->stream, "The stream")->required();
  cmd->add_option("--shard-id", flags->shard_id, "Read only this shard");
  cmd->add_option("--shard-iterator-type", flags->iterator_type,
                  "Where to start: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
                  "AFTER_SEQUENCE_NUMBER or AT_TIMESTAMP");
  cmd->add_option("--starting-sequence-number", flags->starting_sequence_number,
                  "For AT_ and AFTER_SEQUENCE_NUMBER");
  cmd->add_option("--timestamp", flags->timestamp,
                  "For AT_TIMESTAMP: Unix seconds or RFC 3339");
  cmd->add_flag("--follow", flags->follow,
                "Keep reading new records (and new shards) until interrupted");
  cmd->add_option("-c,--count", flags->count, "Exit after this many records");
  cmd->add_option("--output", flags->output,
                  "text (the data, one record a line), json (one object a "
                  "line: key, shard, sequence number, arrival) or hex");
  cmd->add_option("-f,--format", flags->format,
                  "A format as kcat's -f: %s data, %k key, %p shard, "
                  "%o sequence number, %T arrival ms, %t stream, %S/%K sizes");
  cmd->callback([&cli, flags, cmd] {
    absl::StatusOr<GetShardIteratorRequest> start = StartOf(*flags, *cmd);
    if (!start.ok()) return cli.Fail("tail", start.status());
    absl::StatusOr<RecordFormatter> formatter = FormatterOf(*flags);
    if (!formatter.ok()) return cli.Fail("tail", formatter.status());
    WithBroker(cli, [&](Broker& broker) {
      Tail(cli, broker, *flags, *std::move(start), *std::move(formatter)).Run();
    });
  });
}

}  // namespace brook::cli
