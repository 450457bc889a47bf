// Fuzzes brookd's request handling below HTTP: an operation name and a JSON
// body, as KinesisApi::Call() takes them, against a real Broker. The first
// input byte picks the operation; the rest is the body. Any crash, leak or
// sanitizer report is a bug; errors are expected answers.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "brook/broker.h"
#include "server/kinesis_api.h"

namespace {

constexpr const char* kOperations[] = {"CreateStream",
                                       "DeleteStream",
                                       "DescribeStream",
                                       "DescribeStreamSummary",
                                       "ListStreams",
                                       "ListShards",
                                       "PutRecord",
                                       "PutRecords",
                                       "GetShardIterator",
                                       "GetRecords",
                                       "SplitShard",
                                       "MergeShards",
                                       "UpdateShardCount",
                                       "AddTagsToStream",
                                       "RemoveTagsFromStream",
                                       "ListTagsForStream",
                                       "RegisterStreamConsumer",
                                       "ListStreamConsumers",
                                       "DescribeStreamConsumer",
                                       "IncreaseStreamRetentionPeriod",
                                       "Unknown"};

// One Broker for the whole run, with a stream for requests to find.
brook::KinesisApi& Api() {
  static brook::KinesisApi* api = [] {
    const std::string dir = (std::filesystem::temp_directory_path() /
                             ("brook-fuzz-" + std::to_string(getpid())))
                                .string();
    brook::BrokerOptions options;
    options.durability = brook::Durability::kNoWal;
    auto broker = brook::Broker::Open(options, dir);
    if (!broker.ok()) std::abort();
    brook::CreateStreamRequest create;
    create.stream_name = "s";
    create.shard_count = 2;
    create.options.limits = brook::StreamLimits::Unlimited();
    if (!(*broker)->CreateStream(create).ok()) std::abort();
    return new brook::KinesisApi(broker->release());
  }();
  return *api;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* operation =
      kOperations[data[0] % (sizeof(kOperations) / sizeof(kOperations[0]))];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  Api().Call(operation, body).IgnoreError();
  return 0;
}
