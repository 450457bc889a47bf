// brook put STREAM: records from stdin, one per line or length-prefixed
// (--binary), sent with PutRecords in batches of up to 500 records and
// retried as Kinesis producers retry (brook/retry.h).

#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "brook/retry.h"
#include "cli/cli.h"
#include "cli/record_input.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace brook::cli {
namespace {

// Kinesis' PutRecords bounds.
constexpr size_t kMaxBatchRecords = 500;
constexpr size_t kMaxBatchBytes = size_t{5} << 20;

struct PutFlags {
  std::string stream;
  std::string partition_key;
  std::string key_delimiter;
  std::string partition_key_field;
  std::string explicit_hash_key;
  bool binary = false;
  bool print_sequence_numbers = false;
};

// The partition key of `line` and the data to put, per the flags.
class KeyChooser {
 public:
  explicit KeyChooser(const PutFlags& flags) : flags_(flags) {}

  absl::Status Choose(std::string line, PutRecordsRequestEntry* entry) {
    entry->explicit_hash_key = flags_.explicit_hash_key;
    if (!flags_.key_delimiter.empty()) {
      const size_t at = line.find(flags_.key_delimiter);
      if (at == std::string::npos) {
        return InvalidArgument(absl::StrCat("a record has no key delimiter '",
                                            flags_.key_delimiter, "'"));
      }
      entry->partition_key = line.substr(0, at);
      entry->data = line.substr(at + flags_.key_delimiter.size());
      return absl::OkStatus();
    }
    if (!flags_.partition_key_field.empty()) {
      boost::system::error_code ec;
      boost::json::value value = boost::json::parse(line, ec);
      const boost::json::value* field =
          ec || !value.is_object()
              ? nullptr
              : value.as_object().if_contains(flags_.partition_key_field);
      if (field == nullptr) {
        return InvalidArgument(
            absl::StrCat("a record is not a JSON object with a field '",
                         flags_.partition_key_field, "'"));
      }
      entry->partition_key = field->is_string()
                                 ? std::string(field->as_string())
                                 : boost::json::serialize(*field);
    } else if (!flags_.partition_key.empty()) {
      entry->partition_key = flags_.partition_key;
    } else {
      entry->partition_key = absl::StrCat(random_());
    }
    entry->data = std::move(line);
    return absl::OkStatus();
  }

 private:
  const PutFlags& flags_;
  std::mt19937_64 random_{std::random_device()()};
};

// Puts `batch`; prints sequence numbers if asked; returns the number of
// records that could not be put.
absl::StatusOr<int> PutBatch(Broker& broker, const PutFlags& flags,
                             PutRecordsRequest& batch) {
  absl::StatusOr<PutRecordsResult> result = PutRecordsWithRetry(broker, batch);
  if (!result.ok()) return result.status();
  int failed = 0;
  for (const PutRecordsResultEntry& entry : result->records) {
    if (!entry.status.ok()) {
      ++failed;
      std::cerr << "brook put: a record failed: " << entry.status.message()
                << "\n";
    } else if (flags.print_sequence_numbers) {
      std::cout << entry.shard_id << "\t" << entry.sequence_number << "\n";
    }
  }
  batch.records.clear();
  return failed;
}

void Put(Cli& cli, Broker& broker, const PutFlags& flags) {
  RecordInput input(stdin, flags.binary ? RecordInput::Framing::kLengthPrefixed
                                        : RecordInput::Framing::kLines);
  KeyChooser keys(flags);
  Progress progress(cli);
  PutRecordsRequest batch;
  batch.stream = flags.stream;
  size_t batch_bytes = 0;
  int64_t put = 0;
  int failed = 0;
  auto flush = [&]() -> bool {
    absl::StatusOr<int> batch_failed = PutBatch(broker, flags, batch);
    if (!batch_failed.ok()) {
      cli.Fail("putting records", batch_failed.status());
      return false;
    }
    failed += *batch_failed;
    batch_bytes = 0;
    progress.Show(absl::StrCat("put ", put, " records"));
    return true;
  };
  while (true) {
    absl::StatusOr<absl::optional<std::string>> next = input.Next();
    if (!next.ok()) return cli.Fail("reading stdin", next.status());
    if (!next->has_value()) break;
    PutRecordsRequestEntry entry;
    if (absl::Status s = keys.Choose(**std::move(next), &entry); !s.ok()) {
      return cli.Fail("reading stdin", s);
    }
    const size_t bytes = entry.data.size() + entry.partition_key.size();
    if (!batch.records.empty() && (batch.records.size() == kMaxBatchRecords ||
                                   batch_bytes + bytes > kMaxBatchBytes)) {
      if (!flush()) return;
    }
    batch.records.push_back(std::move(entry));
    batch_bytes += bytes;
    ++put;
  }
  if (!batch.records.empty() && !flush()) return;
  if (failed > 0) {
    std::cerr << "brook put: " << failed << " of " << put
              << " records were not put\n";
    cli.exit_code = kExitFailed;
  }
}

// The usage errors of `brook put`, found before the streams are opened; `cmd`
// tells which flags were given, even as "". An empty key flag would
// otherwise read as not given and quietly make the keys random.
absl::Status CheckPutFlags(const PutFlags& f, const CLI::App& cmd) {
  auto given = [&cmd](const std::string& flag) { return cmd.count(flag) > 0; };
  // Kinesis: a partition key is 1 to 256 Unicode characters (PutRecord).
  BROOK_RETURN_IF_ERROR(CheckNotEmpty(
      "--partition-key", given("--partition-key"), f.partition_key,
      "a partition key is 1 to 256 Unicode characters"));
  BROOK_RETURN_IF_ERROR(CheckNotEmpty(
      "--key-delimiter", given("--key-delimiter"), f.key_delimiter,
      "give the text between each line's key and its data"));
  BROOK_RETURN_IF_ERROR(CheckNotEmpty(
      "--partition-key-field", given("--partition-key-field"),
      f.partition_key_field,
      "give the JSON field that holds each record's partition key"));
  return CheckHashKey("--explicit-hash-key", given("--explicit-hash-key"),
                      f.explicit_hash_key);
}

}  // namespace

void AddPutCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<PutFlags>();
  CLI::App* cmd = app.add_subcommand(
      "put",
      "Put records read from stdin, one per line (or length-prefixed with "
      "--binary). The partition key is random unless a flag chooses it");
  cmd->add_option("stream", flags->stream, "The stream")->required();
  CLI::Option* key = cmd->add_option("-k,--partition-key", flags->partition_key,
                                     "The partition key of every record");
  CLI::Option* delimiter =
      cmd->add_option("-K,--key-delimiter", flags->key_delimiter,
                      "Each line is KEY<delimiter>DATA (as kcat -K)");
  CLI::Option* field = cmd->add_option(
      "--partition-key-field", flags->partition_key_field,
      "Each line is a JSON object; this field is the partition key");
  key->excludes(delimiter)->excludes(field);
  delimiter->excludes(field);
  cmd->add_option("--explicit-hash-key", flags->explicit_hash_key,
                  "A decimal hash key that picks the shard of every record");
  CLI::Option* binary = cmd->add_flag(
      "--binary", flags->binary,
      "Records are a 4-byte big-endian length followed by the bytes");
  binary->excludes(delimiter)->excludes(field);
  cmd->add_flag("--print-sequence-numbers", flags->print_sequence_numbers,
                "Print each record's shard and sequence number, in input "
                "order");
  cmd->callback([&cli, flags, cmd] {
    if (absl::Status s = CheckPutFlags(*flags, *cmd); !s.ok()) {
      return cli.Fail("put", s);
    }
    WithBroker(cli, [&](Broker& broker) { Put(cli, broker, *flags); });
  });
}

}  // namespace brook::cli
