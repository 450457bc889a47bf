// brook: look at and operate Brook streams from a shell. See docs/cli.md.

#include <cstdlib>

#include "CLI/CLI.hpp"
#include "cli/cli.h"

int main(int argc, char** argv) {
  brook::cli::Cli cli;
  CLI::App app(
      "brook: list, create and reshard streams, put and tail records, see "
      "consumer lag, verify, back up and restore Brook data directories.",
      "brook");
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();
  app.add_option("--data-dir", cli.data_dir,
                 "The Brook data directory to work on (opened exclusively: "
                 "not while brookd or another process holds it)")
      ->envname("BROOK_DATA_DIR");
  app.add_flag("-q,--quiet", cli.quiet, "No progress on stderr");
  brook::cli::AddStreamCommands(app, cli);
  brook::cli::AddPutCommand(app, cli);
  brook::cli::AddTailCommand(app, cli);
  brook::cli::AddLagCommand(app, cli);
  brook::cli::AddDataDirCommands(app, cli);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : brook::cli::kExitUsage;
  }
  return cli.exit_code;
}
