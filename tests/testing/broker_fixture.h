// A test fixture that owns a Broker on a temporary directory and a manual
// clock, with small helpers so that tests read as specifications.

#ifndef BROOK_TESTS_TESTING_BROKER_FIXTURE_H_
#define BROOK_TESTS_TESTING_BROKER_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "broker/broker_impl.h"
#include "brook/broker.h"
#include "brook/clock.h"
#include "gtest/gtest.h"
#include "storage/file_system.h"
#include "testing/fault_fs.h"
#include "testing/temp_dir.h"

namespace brook::testing {

class BrokerTest : public ::testing::Test {
 protected:
  BrokerTest();
  ~BrokerTest() override;

  // Options used by Open(): the manual clock, no fsync (tests that need
  // kSync set it themselves), and no background scaling controller.
  BrokerOptions& options() { return options_; }
  Broker& broker() { return *broker_; }
  // The broker, for its TEST_ hooks.
  BrokerImpl& impl() { return *broker_; }
  ManualClock& clock() { return clock_; }
  const std::string& dir() const { return dir_.path(); }
  // Has later opens keep the store on a new fault-injecting file system
  // (testing/fault_fs.h), in Durability::kSync, with a free-space floor of
  // `min_free_disk_bytes`; write recovery runs only when a test calls
  // impl().TEST_CheckDiskNow(). Returns the file system.
  std::shared_ptr<FaultFileSystem> UseFaultFileSystem(
      uint64_t min_free_disk_bytes);

  // (Re)opens the broker on the fixture's directory.
  void Open();
  // As Open(), returning how it went instead of failing the test.
  absl::Status TryOpen();
  void Reopen();
  // Stops the broker as a kill -9 would leave its files (BrokerImpl::
  // TEST_SimulateCrash()), then opens it again.
  void CrashAndReopen();

  // Creates a stream; without limits, unless a test is about them.
  void CreateStream(const std::string& name, int shard_count,
                    const StreamLimits& limits = StreamLimits::Unlimited());
  // Puts one record and returns its result; fails the test on error.
  PutRecordResult Put(const std::string& stream, const std::string& key,
                      const std::string& data);
  std::string Iterator(const std::string& stream, const std::string& shard_id,
                       ShardIteratorType type,
                       absl::optional<SequenceNumber> sequence = absl::nullopt,
                       absl::optional<absl::Time> timestamp = absl::nullopt);
  // Every record from `iterator` to the newest, following next iterators.
  std::vector<Record> ReadAll(std::string iterator);
  // ReadAll from TRIM_HORIZON.
  std::vector<Record> ReadShard(const std::string& stream,
                                const std::string& shard_id);
  std::vector<std::string> DataOf(const std::vector<Record>& records);

 private:
  TempDir dir_;
  ManualClock clock_;
  BrokerOptions options_;
  StoreFileSystem file_system_;
  std::unique_ptr<BrokerImpl> broker_;
};

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_BROKER_FIXTURE_H_
