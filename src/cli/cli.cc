#include "cli/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "common/uint128.h"

namespace brook::cli {

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The endpoint variable the AWS CLI would use, by name, or "".
const char* EndpointVariable() {
  for (const char* name : {"AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL"}) {
    if (!Env(name).empty()) return name;
  }
  return "";
}

}  // namespace

absl::StatusOr<Target> Cli::ResolveTarget() const {
  using Kind = Target::Kind;
  if (!data_dir.empty() && !endpoint.empty()) {
    return InvalidArgument(
        "--data-dir and --endpoint-url name two places: give one");
  }
  if (!data_dir.empty()) return Target{Kind::kDataDir, data_dir};
  if (!endpoint.empty()) return Target{Kind::kEndpoint, endpoint};
  const std::string env_dir = Env("BROOK_DATA_DIR");
  const absl::string_view env_endpoint = EndpointVariable();
  if (!env_dir.empty() && !env_endpoint.empty()) {
    return InvalidArgument(absl::StrCat(
        "BROOK_DATA_DIR and ", env_endpoint,
        " are both set: choose with --data-dir or --endpoint-url"));
  }
  if (!env_dir.empty()) return Target{Kind::kDataDir, env_dir};
  // Broker::Connect reads the variable itself, as the AWS SDKs do.
  if (!env_endpoint.empty()) return Target{Kind::kEndpoint, ""};
  return InvalidArgument(
      "no streams to work on: give --data-dir DIR or --endpoint-url URL (or "
      "set BROOK_DATA_DIR or AWS_ENDPOINT_URL)");
}

absl::StatusOr<std::unique_ptr<Broker>> Cli::OpenBroker() const {
  absl::StatusOr<Target> target = ResolveTarget();
  if (!target.ok()) return target.status();
  if (target->kind == Target::Kind::kEndpoint) {
    return Broker::Connect(connect, target->location);
  }
  return OpenDataDir(target->location);
}

absl::StatusOr<std::unique_ptr<Broker>> Cli::OpenDataDir(
    const std::string& dir) const {
  BrokerOptions options;
  options.create_if_missing = create_if_missing;
  return Broker::Open(options, dir);
}

absl::Status Cli::RequireDataDir(absl::string_view command) const {
  if (endpoint.empty()) return absl::OkStatus();
  return InvalidArgument(absl::StrCat(
      command,
      " works on a data directory, not an endpoint: run it where the data "
      "directory is, with --data-dir (while no other process holds it)"));
}

absl::StatusOr<std::string> Cli::DataDirFor(absl::string_view command) const {
  if (absl::Status s = RequireDataDir(command); !s.ok()) return s;
  if (!data_dir.empty()) return data_dir;
  std::string env_dir = Env("BROOK_DATA_DIR");
  if (!env_dir.empty()) return env_dir;
  return InvalidArgument(absl::StrCat(
      command,
      " works on a data directory: name it with --data-dir DIR (or set "
      "BROOK_DATA_DIR)"));
}

void Cli::Fail(absl::string_view what, const absl::Status& status) {
  std::cerr << "brook: " << what << ": " << ErrorNameOf(status) << ": "
            << status.message() << "\n";
  exit_code = ErrorNameOf(status) == ErrorName::kInvalidArgumentException
                  ? kExitUsage
                  : kExitFailed;
}

absl::Status CheckNotEmpty(absl::string_view flag, bool given,
                           absl::string_view value, absl::string_view want) {
  if (!given || !value.empty()) return absl::OkStatus();
  return InvalidArgument(absl::StrCat(flag, " is empty: ", want));
}

absl::Status CheckHashKey(absl::string_view flag, bool given,
                          absl::string_view value) {
  // A key of the wrong form is a mistyped flag, as an out-of-range one is.
  constexpr absl::string_view kWanted =
      "give a decimal number from 0 to 2^128-1 "
      "(340282366920938463463374607431768211455), without leading zeros";
  BROOK_RETURN_IF_ERROR(CheckNotEmpty(flag, given, value, kWanted));
  if (!given || ParseDecimalUint128(value).has_value()) {
    return absl::OkStatus();
  }
  return InvalidArgument(
      absl::StrCat(flag, " '", value, "' is not a hash key: ", kWanted));
}

bool StdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }

Progress::Progress(const Cli& cli)
    : enabled_(!cli.quiet && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (shown_) std::cerr << "\r\033[K" << std::flush;
}

void Progress::Show(absl::string_view line) {
  if (!enabled_) return;
  std::cerr << "\r\033[K" << line << std::flush;
  shown_ = true;
}

}  // namespace brook::cli
