#include "cli/cli.h"

#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "common/errors.h"

namespace brook::cli {

absl::StatusOr<std::unique_ptr<Broker>> Cli::OpenBroker() const {
  if (data_dir.empty()) {
    return InvalidArgument(
        "no data directory: give --data-dir DIR or set BROOK_DATA_DIR");
  }
  BrokerOptions options;
  options.create_if_missing = create_if_missing;
  return Broker::Open(options, data_dir);
}

void Cli::Fail(absl::string_view what, const absl::Status& status) {
  std::cerr << "brook: " << what << ": " << ErrorNameOf(status) << ": "
            << status.message() << "\n";
  exit_code = ErrorNameOf(status) == ErrorName::kInvalidArgumentException
                  ? kExitUsage
                  : kExitFailed;
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
