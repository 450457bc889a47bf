// Runs a helper program as a child process and kills it with SIGKILL at a
// moment the test picks from what it has printed, as a crash would.

#ifndef BROOK_TESTS_TESTING_CHILD_PROCESS_H_
#define BROOK_TESTS_TESTING_CHILD_PROCESS_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace brook::testing {

struct ChildRun {
  std::string output;   // Everything it wrote to stdout.
  bool killed = false;  // By us (else it exited by itself).
  int wait_status = 0;
};

// Starts `argv` with its stdout on a pipe, whose read end it puts in
// `*stdout_fd`; returns the child's pid, or -1 (and no pipe) on failure.
// The child is killed if the test process dies first.
int SpawnChild(const std::vector<std::string>& argv, int* stdout_fd);

// Runs `argv`, and after each read of its stdout calls `kill_when` with all
// of its output so far; kills it once that returns true, or once
// `kill_after` has passed. Returns when the child is gone.
ChildRun RunChild(const std::vector<std::string>& argv,
                  absl::FunctionRef<bool(absl::string_view output)> kill_when,
                  absl::Duration kill_after = absl::InfiniteDuration());

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_CHILD_PROCESS_H_
