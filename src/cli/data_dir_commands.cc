// brook verify / backup / restore: operations on a data directory as a
// whole, so never against an endpoint.

#include <filesystem>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "brook/backup.h"
#include "cli/cli.h"
#include "common/errors.h"
#include "storage/data_dir_check.h"

namespace brook::cli {
namespace {

struct VerifyFlags {
  std::string dir;
  std::string output = "text";
};

// Whether `a` and `b` name one directory (as "data" and "./data/" do).
bool SameDirectory(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::equivalent(a, b, ec)) return true;
  const fs::path absolute_a = fs::absolute(a, ec).lexically_normal();
  if (ec) return false;
  return absolute_a == fs::absolute(b, ec).lexically_normal() && !ec;
}

// The directory verify checks: its argument, else the data directory that
// --data-dir or BROOK_DATA_DIR names, as for every other command. An
// argument and --data-dir that name two directories are a usage error.
absl::StatusOr<std::string> DirToVerify(const Cli& cli,
                                        const std::string& argument) {
  if (argument.empty()) return cli.DataDirFor("verify");
  if (absl::Status s = cli.RequireDataDir("verify"); !s.ok()) {
    return s;
  }
  if (!cli.data_dir.empty() && !SameDirectory(cli.data_dir, argument)) {
    return InvalidArgument(absl::StrCat("--data-dir '", cli.data_dir,
                                        "' and the argument '", argument,
                                        "' name two directories: give one"));
  }
  return argument;
}

void Verify(Cli& cli, const VerifyFlags& flags) {
  absl::StatusOr<std::string> dir = DirToVerify(cli, flags.dir);
  if (!dir.ok()) return cli.Fail("verify", dir.status());
  Progress progress(cli);
  absl::StatusOr<VerifyReport> report =
      VerifyDataDir(*dir, [&](const VerifyProgress& p) {
        progress.Show(absl::StrFormat("verified %d/%d shards, %d records",
                                      p.shards_done, p.shards_total,
                                      p.records));
      });
  if (!report.ok()) return cli.Fail("verify", report.status());
  if (flags.output == "json") {
    boost::json::array problems;
    for (const std::string& p : report->problems) problems.push_back(p.c_str());
    std::cout << boost::json::serialize(boost::json::object{
                     {"ok", report->ok()},
                     {"streams", report->streams},
                     {"shards", report->shards},
                     {"batches", report->batches},
                     {"damaged_batches", report->damaged_batches},
                     {"records", report->records},
                     {"bytes", report->bytes},
                     {"consumers", report->consumers},
                     {"checkpoints", report->checkpoints},
                     {"problems", std::move(problems)}})
              << "\n";
  } else {
    std::cout << absl::StrFormat(
        "%s: %d streams, %d shards, %d batches (%d damaged), %d records (%d "
        "bytes), %d consumers, %d checkpoints\n",
        *dir, report->streams, report->shards, report->batches,
        report->damaged_batches, report->records, report->bytes,
        report->consumers, report->checkpoints);
    for (const std::string& problem : report->problems) {
      std::cout << "PROBLEM: " << problem << "\n";
    }
    std::cout << (report->ok()
                      ? "OK: no problems found\n"
                      : absl::StrCat("DAMAGED: ", report->problems.size(),
                                     report->problems.size() == 1
                                         ? " problem found\n"
                                         : " problems found\n"));
  }
  if (!report->ok()) cli.exit_code = kExitDamage;
}

void PrintCopy(absl::string_view what, const std::string& destination,
               const BackupResult& result) {
  std::cout << absl::StrFormat("%s %s: %d files, %d bytes, %.3f s\n", what,
                               destination, result.files, result.bytes,
                               absl::ToDoubleSeconds(result.duration));
}

}  // namespace

void AddDataDirCommands(CLI::App& app, Cli& cli) {
  auto verify = std::make_shared<VerifyFlags>();
  CLI::App* verify_cmd = app.add_subcommand(
      "verify",
      "Check a data directory offline: checksums, every batch, sequence "
      "order, lineage and metadata. Exit code 3 on damage");
  verify_cmd->add_option(
      "dir", verify->dir,
      "The data directory (default: --data-dir, else BROOK_DATA_DIR)");
  verify_cmd->add_option("--output", verify->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  verify_cmd->callback([&cli, verify] { Verify(cli, *verify); });

  auto destination = std::make_shared<std::string>();
  CLI::App* backup_cmd = app.add_subcommand(
      "backup",
      "Write a consistent copy of the data directory (--data-dir) to a new "
      "directory; the copy is itself a data directory");
  backup_cmd
      ->add_option("destination", *destination,
                   "A directory that does not exist yet, or is empty")
      ->required();
  backup_cmd->callback([&cli, destination] {
    absl::StatusOr<std::string> dir = cli.DataDirFor("backup");
    if (!dir.ok()) return cli.Fail("backup", dir.status());
    WithBroker(cli, cli.OpenDataDir(*dir), [&](Broker& broker) {
      Progress progress(cli);
      progress.Show(absl::StrCat("backing up to ", *destination, "..."));
      absl::StatusOr<BackupResult> result = broker.Backup({*destination});
      if (!result.ok()) return cli.Fail("backup", result.status());
      PrintCopy("backed up to", *destination, *result);
      // A checkpoint reads no record: damage is copied as it is.
      std::cout << "not verified: run brook verify " << *destination << "\n";
    });
  });

  auto restore = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* restore_cmd =
      app.add_subcommand("restore", "Copy a backup to a new data directory");
  restore_cmd->add_option("backup", restore->first, "The backup")->required();
  restore_cmd
      ->add_option("destination", restore->second,
                   "A directory that does not exist yet, or is empty")
      ->required();
  restore_cmd->callback([&cli, restore] {
    if (absl::Status s = cli.RequireDataDir("restore"); !s.ok()) {
      return cli.Fail("restore", s);
    }
    absl::StatusOr<BackupResult> result =
        RestoreBackup(restore->first, restore->second);
    if (!result.ok()) return cli.Fail("restore", result.status());
    PrintCopy("restored to", restore->second, *result);
  });
}

}  // namespace brook::cli
