// brook streams / create / delete / reshard: the control plane, with the
// names of `aws kinesis` (list-streams, describe-stream-summary,
// list-shards, create-stream, delete-stream, split-shard, merge-shards,
// update-shard-count).

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "broker/validation.h"
#include "brook/broker.h"
#include "brook/encryption.h"
#include "brook/streams.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "common/uint128.h"

namespace brook::cli {
namespace {

namespace json = boost::json;

bool Json(const std::string& output) { return output == "json"; }

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

// Every stream name, following ListStreams' pages.
absl::StatusOr<std::vector<std::string>> AllStreams(Broker& broker) {
  std::vector<std::string> names;
  ListStreamsRequest request;
  while (true) {
    absl::StatusOr<ListStreamsResult> page = broker.ListStreams(request);
    if (!page.ok()) return page.status();
    names.insert(names.end(), page->stream_names.begin(),
                 page->stream_names.end());
    if (page->next_token.empty()) return names;
    request = ListStreamsRequest();
    request.next_token = page->next_token;
  }
}

// Every shard the stream still keeps, following ListShards' pages.
absl::StatusOr<std::vector<Shard>> AllShards(Broker& broker,
                                             const std::string& stream) {
  std::vector<Shard> shards;
  ListShardsRequest request;
  request.stream = stream;
  while (true) {
    absl::StatusOr<ListShardsResult> page = broker.ListShards(request);
    if (!page.ok()) return page.status();
    shards.insert(shards.end(), page->shards.begin(), page->shards.end());
    if (page->next_token.empty()) return shards;
    request = ListShardsRequest();
    request.next_token = page->next_token;
  }
}

absl::StatusOr<std::vector<Consumer>> AllConsumers(Broker& broker,
                                                   const std::string& stream) {
  std::vector<Consumer> consumers;
  ListStreamConsumersRequest request;
  request.stream = stream;
  while (true) {
    absl::StatusOr<ListStreamConsumersResult> page =
        broker.ListStreamConsumers(request);
    if (!page.ok()) return page.status();
    consumers.insert(consumers.end(), page->consumers.begin(),
                     page->consumers.end());
    if (page->next_token.empty()) return consumers;
    request.next_token = page->next_token;
  }
}

// The members of Kinesis' StreamDescriptionSummary, by their API names.
json::object SummaryJson(const StreamDescriptionSummary& s) {
  json::object out{
      {"StreamName", s.stream_name},
      {"StreamARN", s.stream_arn},
      {"StreamStatus", std::string(StreamStatusToString(s.stream_status))},
      {"StreamCreationTimestamp", Rfc3339(s.stream_creation_timestamp)},
      {"RetentionPeriodHours", s.retention_period_hours},
      {"MaxRecordSizeInKiB", s.max_record_size_kib},
      {"OpenShardCount", s.open_shard_count},
      {"ConsumerCount", s.consumer_count},
      {"StreamModeDetails",
       {{"StreamMode", std::string(StreamModeToString(s.stream_mode))}}},
      {"EncryptionType",
       std::string(EncryptionTypeToString(s.encryption_type))}};
  if (!s.key_id.empty()) out["KeyId"] = s.key_id;
  return out;
}

json::object ShardJson(const Shard& shard) {
  json::object out{
      {"ShardId", shard.shard_id},
      {"HashKeyRange",
       {{"StartingHashKey",
         Uint128ToDecimal(shard.hash_key_range.starting_hash_key)},
        {"EndingHashKey",
         Uint128ToDecimal(shard.hash_key_range.ending_hash_key)}}}};
  if (!shard.parent_shard_id.empty()) {
    out["ParentShardId"] = shard.parent_shard_id;
  }
  if (!shard.adjacent_parent_shard_id.empty()) {
    out["AdjacentParentShardId"] = shard.adjacent_parent_shard_id;
  }
  json::object range{
      {"StartingSequenceNumber",
       shard.sequence_number_range.starting_sequence_number.ToString()}};
  if (shard.sequence_number_range.ending_sequence_number.has_value()) {
    range["EndingSequenceNumber"] =
        shard.sequence_number_range.ending_sequence_number->ToString();
  }
  out["SequenceNumberRange"] = std::move(range);
  return out;
}

// `brook streams`: one line per stream.
void ListStreams(Cli& cli, Broker& broker, const std::string& output) {
  absl::StatusOr<std::vector<std::string>> names = AllStreams(broker);
  if (!names.ok()) return cli.Fail("listing streams", names.status());
  if (!Json(output)) {
    std::cout << absl::StrFormat("%-32s %-9s %-11s %6s %9s %9s %s\n", "STREAM",
                                 "STATUS", "MODE", "SHARDS", "RETENTION",
                                 "CONSUMERS", "ENCRYPTION");
  }
  for (const std::string& name : *names) {
    absl::StatusOr<StreamDescriptionSummary> s =
        broker.DescribeStreamSummary({name});
    if (!s.ok()) continue;  // Deleted meanwhile.
    if (Json(output)) {
      std::cout << json::serialize(SummaryJson(*s)) << "\n";
    } else {
      std::cout << absl::StrFormat("%-32s %-9s %-11s %6d %8dh %9d %s\n", name,
                                   StreamStatusToString(s->stream_status),
                                   StreamModeToString(s->stream_mode),
                                   s->open_shard_count,
                                   s->retention_period_hours, s->consumer_count,
                                   EncryptionTypeToString(s->encryption_type));
    }
  }
}

// `brook streams STREAM`: the stream, its shards and lineage, its consumers.
void DescribeStream(Cli& cli, Broker& broker, const std::string& stream,
                    const std::string& output) {
  absl::StatusOr<StreamDescriptionSummary> summary =
      broker.DescribeStreamSummary({stream});
  if (!summary.ok()) return cli.Fail("describing the stream", summary.status());
  absl::StatusOr<std::vector<Shard>> shards = AllShards(broker, stream);
  if (!shards.ok()) return cli.Fail("listing shards", shards.status());
  absl::StatusOr<std::vector<Consumer>> consumers =
      AllConsumers(broker, stream);
  if (!consumers.ok()) return cli.Fail("listing consumers", consumers.status());
  if (Json(output)) {
    json::object out = SummaryJson(*summary);
    json::array shard_array;
    for (const Shard& shard : *shards) shard_array.push_back(ShardJson(shard));
    out["Shards"] = std::move(shard_array);
    json::array consumer_array;
    for (const Consumer& consumer : *consumers) {
      consumer_array.push_back(
          json::object{{"ConsumerName", consumer.consumer_name},
                       {"ConsumerARN", consumer.consumer_arn}});
    }
    out["Consumers"] = std::move(consumer_array);
    std::cout << json::serialize(out) << "\n";
    return;
  }
  const StreamDescriptionSummary& s = *summary;
  std::cout << "Stream:     " << s.stream_name << "\n"
            << "ARN:        " << s.stream_arn << "\n"
            << "Status:     " << StreamStatusToString(s.stream_status) << "\n"
            << "Created:    " << Rfc3339(s.stream_creation_timestamp) << "\n"
            << "Mode:       " << StreamModeToString(s.stream_mode) << "\n"
            << "Encryption: " << EncryptionTypeToString(s.encryption_type)
            << (s.key_id.empty() ? "" : absl::StrCat(" (", s.key_id, ")"))
            << "\n"
            << "Retention:  " << s.retention_period_hours << " hours\n"
            << "Open shards: " << s.open_shard_count << "\n\n";
  // Two hash keys of up to 39 digits (2^128-1) and the ".." between them.
  constexpr int kHashKeysWidth = 39 + 2 + 39;
  // A merge's two parents: "shardId-" and 12 digits, "+" and the adjacent
  // parent's 12 digits.
  constexpr int kParentsWidth = 20 + 1 + 12;
  std::cout << absl::StrFormat("%-21s %-6s %-*s %-*s %s\n", "SHARD", "STATE",
                               kHashKeysWidth, "HASH KEYS (START..END)",
                               kParentsWidth, "PARENTS",
                               "FIRST SEQUENCE NUMBER");
  for (const Shard& shard : *shards) {
    std::string parents = shard.parent_shard_id;
    if (!shard.adjacent_parent_shard_id.empty()) {
      absl::StrAppend(&parents, "+", shard.adjacent_parent_shard_id.substr(8));
    }
    const bool open =
        !shard.sequence_number_range.ending_sequence_number.has_value();
    std::cout << absl::StrFormat(
        "%-21s %-6s %-*s %-*s %s\n", shard.shard_id, open ? "open" : "closed",
        kHashKeysWidth,
        absl::StrCat(Uint128ToDecimal(shard.hash_key_range.starting_hash_key),
                     "..",
                     Uint128ToDecimal(shard.hash_key_range.ending_hash_key)),
        kParentsWidth, parents.empty() ? "-" : parents,
        shard.sequence_number_range.starting_sequence_number.ToString());
  }
  std::cout << "\nConsumers: " << consumers->size() << "\n";
  for (const Consumer& consumer : *consumers) {
    std::cout << "  " << consumer.consumer_name << "  " << consumer.consumer_arn
              << "\n";
  }
}

struct StreamsFlags {
  std::string stream;
  std::string output = "text";
};

struct CreateFlags {
  std::string stream;
  int shard_count = 1;
  int retention_period_hours = 24;
  int max_record_size_kib = 1024;
};

struct DeleteFlags {
  std::string stream;
  bool enforce_consumer_deletion = false;
};

struct ReshardFlags {
  std::string stream;
  int target_shard_count = 0;
  // Whether --target-shard-count was given, even as 0.
  bool target_shard_count_given = false;
  std::string shard_to_split;
  // Whether --split-shard and --new-starting-hash-key were given, even as
  // "".
  bool shard_to_split_given = false;
  std::string new_starting_hash_key;
  bool new_starting_hash_key_given = false;
  std::vector<std::string> shards_to_merge;
};

// The Broker's verdict on a request made from flags, as a usage error: the
// API calls a bad value a ValidationException or an
// InvalidArgumentException; either way it came from a flag.
absl::Status AsUsageError(const absl::Status& status) {
  return status.ok() ? status : InvalidArgument(status.message());
}

// The usage errors of `brook create`: the bounds Kinesis puts on the
// stream and its retention, as the Broker checks them, but checked before
// anything is opened, so that a refused create leaves no data directory
// and no stream behind.
absl::Status CheckCreate(const CreateStreamRequest& request,
                         const UpdateStreamRetentionRequest& retention) {
  absl::Status status = Validate(request);
  if (status.ok()) status = Validate(retention, /*increase=*/true);
  return AsUsageError(status);
}

// The UpdateShardCount that --target-shard-count asks for.
UpdateShardCountRequest ShardCountRequest(const ReshardFlags& f) {
  UpdateShardCountRequest request;
  request.stream = f.stream;
  request.target_shard_count = f.target_shard_count;
  return request;
}

// The usage errors of `brook reshard`, found before the streams are opened.
absl::Status CheckReshardFlags(const ReshardFlags& f) {
  BROOK_RETURN_IF_ERROR(CheckNotEmpty("--split-shard", f.shard_to_split_given,
                                      f.shard_to_split,
                                      "give the id of the shard to split"));
  for (const std::string& shard : f.shards_to_merge) {
    BROOK_RETURN_IF_ERROR(CheckNotEmpty("--merge-shards", /*given=*/true, shard,
                                        "give the ids of two adjacent shards"));
  }
  BROOK_RETURN_IF_ERROR(CheckHashKey("--new-starting-hash-key",
                                     f.new_starting_hash_key_given,
                                     f.new_starting_hash_key));
  // UpdateShardCount's bounds on TargetShardCount, as the Broker checks them.
  if (f.target_shard_count_given) {
    BROOK_RETURN_IF_ERROR(AsUsageError(Validate(ShardCountRequest(f))));
  }
  const int modes = f.target_shard_count_given + f.shard_to_split_given +
                    !f.shards_to_merge.empty();
  if (modes != 1) {
    return InvalidArgument(
        "give exactly one of --target-shard-count, --split-shard or "
        "--merge-shards");
  }
  // SplitShard requires both (Kinesis API reference, SplitShard).
  if (f.shard_to_split_given != f.new_starting_hash_key_given) {
    return InvalidArgument(
        "--split-shard and --new-starting-hash-key go together");
  }
  // MergeShards takes a shard and the one adjacent to it (Kinesis API
  // reference, MergeShards).
  if (f.shards_to_merge.size() == 1) {
    return InvalidArgument(
        "--merge-shards names one shard: give the ids of two adjacent shards");
  }
  return absl::OkStatus();
}

void Reshard(Cli& cli, Broker& broker, const ReshardFlags& f) {
  absl::Status status;
  if (f.target_shard_count_given) {
    status = broker.UpdateShardCount(ShardCountRequest(f)).status();
  } else if (f.shard_to_split_given) {
    status = broker.SplitShard(
        {f.stream, f.shard_to_split, f.new_starting_hash_key});
  } else {
    status = broker.MergeShards(
        {f.stream, f.shards_to_merge[0], f.shards_to_merge[1]});
  }
  if (!status.ok()) return cli.Fail("resharding", status);
  absl::StatusOr<StreamDescriptionSummary> summary =
      broker.DescribeStreamSummary({f.stream});
  if (summary.ok()) {
    std::cout << f.stream << ": " << summary->open_shard_count
              << " open shards\n";
  }
}

}  // namespace

void AddStreamCommands(CLI::App& app, Cli& cli) {
  auto streams = std::make_shared<StreamsFlags>();
  CLI::App* list = app.add_subcommand(
      "streams",
      "List streams, or describe one: its shards, their hash key ranges "
      "and lineage, and its consumers");
  list->add_option("stream", streams->stream, "A stream to describe");
  list->add_option("--output", streams->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  list->callback([&cli, streams] {
    WithBroker(cli, [&](Broker& broker) {
      if (streams->stream.empty()) {
        ListStreams(cli, broker, streams->output);
      } else {
        DescribeStream(cli, broker, streams->stream, streams->output);
      }
    });
  });

  auto create = std::make_shared<CreateFlags>();
  CLI::App* create_cmd = app.add_subcommand("create", "Create a stream");
  create_cmd->add_option("stream", create->stream, "The stream's name")
      ->required();
  create_cmd->add_option("--shard-count", create->shard_count,
                         "Shards, splitting the hash key space evenly");
  create_cmd->add_option("--retention-period-hours",
                         create->retention_period_hours,
                         "How long records are kept: 24 to 8760 hours");
  create_cmd->add_option("--max-record-size-kib", create->max_record_size_kib,
                         "The largest record: 1024 to 10240 KiB");
  create_cmd->callback([&cli, create] {
    CreateStreamRequest request;
    request.stream_name = create->stream;
    request.shard_count = create->shard_count;
    request.options.max_record_size_kib = create->max_record_size_kib;
    const UpdateStreamRetentionRequest retention{
        create->stream, create->retention_period_hours};
    if (absl::Status s = CheckCreate(request, retention); !s.ok()) {
      return cli.Fail("create", s);
    }
    cli.create_if_missing = true;
    WithBroker(cli, [&](Broker& broker) {
      if (absl::Status s = broker.CreateStream(request); !s.ok()) {
        return cli.Fail("creating the stream", s);
      }
      if (retention.retention_period_hours != 24) {
        absl::Status s = broker.IncreaseStreamRetentionPeriod(retention);
        if (!s.ok()) return cli.Fail("setting the retention period", s);
      }
    });
  });

  auto del = std::make_shared<DeleteFlags>();
  CLI::App* delete_cmd =
      app.add_subcommand("delete", "Delete a stream and all its records");
  delete_cmd->add_option("stream", del->stream, "The stream")->required();
  delete_cmd->add_flag("--enforce-consumer-deletion",
                       del->enforce_consumer_deletion,
                       "Deregister its enhanced fan-out consumers too");
  delete_cmd->callback([&cli, del] {
    WithBroker(cli, [&](Broker& broker) {
      absl::Status s =
          broker.DeleteStream({del->stream, del->enforce_consumer_deletion});
      if (!s.ok()) cli.Fail("deleting the stream", s);
    });
  });

  auto reshard = std::make_shared<ReshardFlags>();
  CLI::App* reshard_cmd = app.add_subcommand(
      "reshard",
      "Change a stream's shards: to a shard count (UpdateShardCount), or "
      "split or merge shards");
  reshard_cmd->add_option("stream", reshard->stream, "The stream")->required();
  CLI::Option* target_shard_count = reshard_cmd->add_option(
      "--target-shard-count", reshard->target_shard_count,
      "Open shards wanted, from half to double today's");
  CLI::Option* split_shard = reshard_cmd->add_option(
      "--split-shard", reshard->shard_to_split,
      "A shard to split (with --new-starting-hash-key)");
  CLI::Option* new_starting_hash_key = reshard_cmd->add_option(
      "--new-starting-hash-key", reshard->new_starting_hash_key,
      "Where the split's upper child starts (decimal)");
  reshard_cmd
      ->add_option("--merge-shards", reshard->shards_to_merge,
                   "Two adjacent shards to merge")
      // One is taken too, to be refused as every usage error is.
      ->expected(1, 2);
  reshard_cmd->callback([&cli, reshard, target_shard_count, split_shard,
                         new_starting_hash_key] {
    reshard->target_shard_count_given = target_shard_count->count() > 0;
    reshard->shard_to_split_given = split_shard->count() > 0;
    reshard->new_starting_hash_key_given = new_starting_hash_key->count() > 0;
    if (absl::Status s = CheckReshardFlags(*reshard); !s.ok()) {
      return cli.Fail("reshard", s);
    }
    WithBroker(cli, [&](Broker& broker) { Reshard(cli, broker, *reshard); });
  });
}

}  // namespace brook::cli
