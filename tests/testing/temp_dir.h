// A fresh directory under the test temporary directory, removed with its
// contents when the TempDir is destroyed.

#ifndef BROOK_TESTS_TESTING_TEMP_DIR_H_
#define BROOK_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace brook::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_TEMP_DIR_H_
