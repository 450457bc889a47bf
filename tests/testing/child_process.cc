#include "testing/child_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "absl/time/clock.h"

namespace brook::testing {

int SpawnChild(const std::vector<std::string>& argv, int* stdout_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    // A test that dies (a timeout, a crash) takes its servers with it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return -1;
  }
  *stdout_fd = fds[0];
  return pid;
}

ChildRun RunChild(const std::vector<std::string>& argv,
                  absl::FunctionRef<bool(absl::string_view output)> kill_when,
                  absl::Duration kill_after) {
  ChildRun run;
  int out = -1;
  const pid_t pid = SpawnChild(argv, &out);
  if (pid < 0) return run;
  const absl::Time deadline = absl::Now() + kill_after;
  char buffer[4096];
  for (;;) {
    if (!run.killed) {
      const absl::Duration left = deadline - absl::Now();
      pollfd readable = {out, POLLIN, 0};
      const int timeout_ms = left == absl::InfiniteDuration()
                                 ? -1
                                 : static_cast<int>(std::max<int64_t>(
                                       0, absl::ToInt64Milliseconds(left)));
      if (poll(&readable, 1, timeout_ms) == 0) {
        kill(pid, SIGKILL);
        run.killed = true;
      }
    }
    const ssize_t n = read(out, buffer, sizeof(buffer));
    if (n <= 0) break;
    run.output.append(buffer, n);
    if (!run.killed && kill_when(run.output)) {
      kill(pid, SIGKILL);
      run.killed = true;
    }
  }
  close(out);
  waitpid(pid, &run.wait_status, 0);
  return run;
}

}  // namespace brook::testing
