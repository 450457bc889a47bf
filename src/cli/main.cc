// brook: look at and operate Brook streams from a shell. See docs/cli.md.

#include <cstdlib>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "cli/cli.h"

namespace {

// The AWS CLI's global options that reach an endpoint, with its names.
void AddEndpointFlags(CLI::App& app, brook::cli::Cli& cli) {
  brook::ConnectOptions& connect = cli.connect;
  app.add_option("--endpoint-url,--endpoint", cli.endpoint,
                 "An endpoint to work on instead of a data directory: "
                 "brookd or any Kinesis-compatible server (default: "
                 "AWS_ENDPOINT_URL_KINESIS, else AWS_ENDPOINT_URL)");
  app.add_option("--region", connect.region,
                 "The region requests are signed for (default: AWS_REGION, "
                 "AWS_DEFAULT_REGION, the profile's, else us-east-1)");
  app.add_option("--profile", connect.profile,
                 "The profile of the AWS shared credentials and config files "
                 "(default: AWS_PROFILE, else default)");
  app.add_flag_callback(
      "--no-verify-ssl", [&connect] { connect.verify_tls = false; },
      "Do not verify an HTTPS endpoint's certificate");
  app.add_option("--ca-bundle", connect.ca_file,
                 "A PEM file of CA certificates to trust for HTTPS")
      ->envname("AWS_CA_BUNDLE");
  app.add_option_function<double>(
         "--cli-connect-timeout",
         [&connect](double s) { connect.connect_timeout = absl::Seconds(s); },
         "Seconds to wait for a connection (default 10)")
      ->check(CLI::PositiveNumber);
  app.add_option_function<double>(
         "--cli-read-timeout",
         [&connect](double s) { connect.request_timeout = absl::Seconds(s); },
         "Seconds to wait for an answer (default 30)")
      ->check(CLI::PositiveNumber);
}

// AWS_MAX_ATTEMPTS, as the AWS CLI reads it: attempts of each call,
// retries included. False if it is set but not a positive integer.
bool ReadMaxAttempts(brook::ConnectOptions& connect) {
  const char* value = std::getenv("AWS_MAX_ATTEMPTS");
  if (value == nullptr || *value == '\0') return true;
  int attempts = 0;
  if (!absl::SimpleAtoi(value, &attempts) || attempts < 1) return false;
  connect.max_attempts = attempts;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  brook::cli::Cli cli;
  CLI::App app(
      "brook: list, create and reshard streams, put and tail records and see "
      "consumer lag, in a Brook data directory or at an endpoint; verify, "
      "back up and restore data directories.",
      "brook");
  app.require_subcommand(1);
  // Global options may also follow the subcommand, as with the AWS CLI.
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.add_option("--data-dir", cli.data_dir,
                 "The Brook data directory to work on (opened exclusively: "
                 "not while brookd or another process holds it; default: "
                 "BROOK_DATA_DIR)");
  AddEndpointFlags(app, cli);
  app.add_flag("-q,--quiet", cli.quiet, "No progress on stderr");
  brook::cli::AddStreamCommands(app, cli);
  brook::cli::AddPutCommand(app, cli);
  brook::cli::AddTailCommand(app, cli);
  brook::cli::AddLagCommand(app, cli);
  brook::cli::AddDataDirCommands(app, cli);
  if (!ReadMaxAttempts(cli.connect)) {
    std::cerr << "brook: AWS_MAX_ATTEMPTS must be a positive integer\n";
    return brook::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : brook::cli::kExitUsage;
  }
  return cli.exit_code;
}
