// The `brook` command-line tool: what its commands share. Each command is
// a CLI11 subcommand that one of the Add*Commands() functions registers; it
// reads its flags, runs against a brook::Broker (so that one code path
// serves every place the streams live), prints its result on stdout and
// sets the exit code.
//
// Exit codes: 0 success; 1 an operation failed; 2 bad usage; 3 `verify`
// found damage.
//
// Output follows the usual Unix split: results on stdout, as aligned text
// on a terminal and as one JSON object per line with --output json;
// progress of long operations on stderr, only when stderr is a terminal
// and --quiet is not given.
//
// Thread safety: single-threaded.

#ifndef BROOK_CLI_CLI_H_
#define BROOK_CLI_CLI_H_

#include <memory>
#include <string>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/broker.h"
#include "brook/connect_options.h"

namespace brook::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDamage = 3;

// Where the streams live: a data directory, or an endpoint ("" for the one
// the environment names, as Broker::Connect resolves it).
struct Target {
  enum class Kind { kDataDir, kEndpoint };
  Kind kind = Kind::kDataDir;
  std::string location;
};

// Flags of the tool as a whole, and the outcome of the command that ran.
struct Cli {
  // --data-dir and --endpoint-url as given on the command line (the
  // environment is read by ResolveTarget()).
  std::string data_dir;
  std::string endpoint;
  // Region, profile, TLS and timeouts of an endpoint; credentials come
  // from the environment and the profile, as for the AWS CLI.
  ConnectOptions connect;
  bool quiet = false;
  // Whether OpenBroker() may create the data directory (only `create`).
  bool create_if_missing = false;
  int exit_code = kExitOk;

  // Where the flags, else the environment, put the streams. Fails with
  // InvalidArgumentException when both a data directory and an endpoint
  // are named at the same level, or neither anywhere.
  absl::StatusOr<Target> ResolveTarget() const;

  // Opens the Broker ResolveTarget() names. Fails as ResolveTarget(),
  // Broker::Open or Broker::Connect do.
  absl::StatusOr<std::unique_ptr<Broker>> OpenBroker() const;

  // Opens the data directory `dir` (creating it only if
  // `create_if_missing`). Fails as Broker::Open does.
  absl::StatusOr<std::unique_ptr<Broker>> OpenDataDir(
      const std::string& dir) const;

  // For commands that work on a data directory itself (verify, backup,
  // restore): OK, or InvalidArgumentException saying that `command` does
  // not work against an endpoint when --endpoint-url was given.
  absl::Status RequireDataDir(absl::string_view command) const;

  // The data directory a command that works on one alone (verify, backup)
  // uses: --data-dir, else BROOK_DATA_DIR. An endpoint in the environment
  // is no conflict, since such a command cannot use it.
  // InvalidArgumentException when --endpoint-url was given or no directory
  // is named.
  absl::StatusOr<std::string> DataDirFor(absl::string_view command) const;

  // Prints "brook: <what>: <ErrorName>: <message>" on stderr and sets the
  // exit code to kExitFailed (or kExitUsage for a bad argument).
  void Fail(absl::string_view what, const absl::Status& status);
};

// The usage checks of flags, made before anything is opened so that a
// mistyped command changes nothing. Each fails with
// InvalidArgumentException, which Cli::Fail() reports as bad usage.

// A usage error if the flag `flag`, given, is empty: an empty value would
// otherwise read as the flag not given. `want` says what to give instead.
absl::Status CheckNotEmpty(absl::string_view flag, bool given,
                           absl::string_view value, absl::string_view want);

// A usage error if the flag `flag`, given, is not a hash key: a decimal
// number from 0 to 2^128-1 without leading zeros, Kinesis' pattern and
// range for ExplicitHashKey and NewStartingHashKey.
absl::Status CheckHashKey(absl::string_view flag, bool given,
                          absl::string_view value);

// Runs `fn(Broker&)` on `broker`, then closes it; reports a failure to
// open or to close.
template <typename Fn>
void WithBroker(Cli& cli, absl::StatusOr<std::unique_ptr<Broker>> broker,
                Fn fn) {
  if (!broker.ok()) return cli.Fail("opening the streams", broker.status());
  fn(**broker);
  if (absl::Status closed = (*broker)->Close(); !closed.ok()) {
    cli.Fail("closing", closed);
  }
}

// As above, on the Broker cli.OpenBroker() opens.
template <typename Fn>
void WithBroker(Cli& cli, Fn fn) {
  WithBroker(cli, cli.OpenBroker(), std::move(fn));
}

// A line of progress on stderr, rewritten in place; silent unless stderr
// is a terminal and the tool is not --quiet.
class Progress {
 public:
  explicit Progress(const Cli& cli);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Show(absl::string_view line);

 private:
  const bool enabled_;
  bool shown_ = false;
};

// Whether standard output is a terminal (tables) or not (plain lines).
bool StdoutIsTerminal();

void AddStreamCommands(CLI::App& app, Cli& cli);
void AddPutCommand(CLI::App& app, Cli& cli);
void AddTailCommand(CLI::App& app, Cli& cli);
void AddLagCommand(CLI::App& app, Cli& cli);
void AddDataDirCommands(CLI::App& app, Cli& cli);

}  // namespace brook::cli

#endif  // BROOK_CLI_CLI_H_
