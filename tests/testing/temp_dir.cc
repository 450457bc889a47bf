#include "testing/temp_dir.h"

#include <stdlib.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace brook::testing {

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir() + "brook-test-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << "mkdtemp failed for " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace brook::testing
