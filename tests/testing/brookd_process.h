// A brookd server run by a test as a child process: started on a free port
// (or a given one, to come back on the same address after a stop), stopped
// cleanly or killed with SIGKILL, and started again on the same data
// directory.

#ifndef BROOK_TESTS_TESTING_BROOKD_PROCESS_H_
#define BROOK_TESTS_TESTING_BROOKD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "brook/connect_options.h"

namespace brook::testing {

// Options for a remote Broker in tests: the key pair kTestAccessKeyId /
// kTestSecretAccessKey, region us-east-1, and 10 ms pauses between retries
// and polls.
inline constexpr char kTestAccessKeyId[] = "AKIDTEST";
inline constexpr char kTestSecretAccessKey[] = "secret";
ConnectOptions TestConnectOptions();

class BrookdProcess {
 public:
  // `binary` is brookd's path; `extra_flags` go after the data directory
  // and port flags.
  BrookdProcess(std::string binary, std::string data_dir,
                std::vector<std::string> extra_flags = {});
  ~BrookdProcess();
  BrookdProcess(const BrookdProcess&) = delete;
  BrookdProcess& operator=(const BrookdProcess&) = delete;

  // Starts brookd and waits for its start-up line. The first start picks a
  // free port; later ones reuse it.
  absl::Status Start();
  // SIGTERM, then waits for it to exit.
  void Stop();
  // SIGKILL, then reaps it.
  void Kill();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // "http://127.0.0.1:PORT".
  std::string endpoint() const;

 private:
  void Signal(int signal_number);

  const std::string binary_;
  const std::string data_dir_;
  const std::vector<std::string> extra_flags_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
};

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_BROOKD_PROCESS_H_
