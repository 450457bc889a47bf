#include "testing/brookd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "testing/child_process.h"

namespace brook::testing {
namespace {

constexpr char kServingOn[] = "on http://127.0.0.1:";

// The port in brookd's start-up line, or 0 if `output` has none yet.
int PortIn(const std::string& output) {
  const size_t at = output.find(kServingOn);
  if (at == std::string::npos) return 0;
  const size_t start = at + sizeof(kServingOn) - 1;
  const size_t end = output.find(' ', start);
  int port = 0;
  if (end == std::string::npos ||
      !absl::SimpleAtoi(output.substr(start, end - start), &port)) {
    return 0;
  }
  return port;
}

}  // namespace

ConnectOptions TestConnectOptions() {
  ConnectOptions options;
  options.access_key_id = kTestAccessKeyId;
  options.secret_access_key = kTestSecretAccessKey;
  options.region = "us-east-1";
  options.backoff_base = absl::Milliseconds(10);
  options.wait_poll_interval = absl::Milliseconds(10);
  return options;
}

BrookdProcess::BrookdProcess(std::string binary, std::string data_dir,
                             std::vector<std::string> extra_flags)
    : binary_(std::move(binary)),
      data_dir_(std::move(data_dir)),
      extra_flags_(std::move(extra_flags)) {}

BrookdProcess::~BrookdProcess() { Kill(); }

std::string BrookdProcess::endpoint() const {
  return absl::StrCat("http://127.0.0.1:", port_);
}

absl::Status BrookdProcess::Start() {
  std::vector<std::string> argv = {binary_, "--data_dir=" + data_dir_,
                                   absl::StrCat("--port=", port_)};
  argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
  pid_ = SpawnChild(argv, &stdout_fd_);
  if (pid_ < 0) return absl::InternalError("cannot start brookd");
  // Later output is not read (brookd writes a line or two, which the pipe
  // holds) but the pipe stays open until brookd exits, which writes to it.
  std::string output;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  char buffer[1024];
  while (PortIn(output) == 0) {
    pollfd readable = {stdout_fd_, POLLIN, 0};
    const int wait_ms =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait_ms <= 0 || poll(&readable, 1, wait_ms) <= 0) break;
    const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  const int port = PortIn(output);
  if (port == 0) {
    Kill();
    return absl::InternalError(absl::StrCat("brookd did not start: ", output));
  }
  port_ = port;
  return absl::OkStatus();
}

void BrookdProcess::Signal(int signal_number) {
  if (pid_ <= 0) return;
  kill(pid_, signal_number);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stdout_fd_ >= 0) close(stdout_fd_);
  stdout_fd_ = -1;
}

void BrookdProcess::Stop() { Signal(SIGTERM); }

void BrookdProcess::Kill() { Signal(SIGKILL); }

}  // namespace brook::testing
