// The Broker behind Broker::Connect(): each operation is encoded as its
// Kinesis JSON 1.1 request (remote/kinesis_json.h), signed (aws/sigv4.h),
// sent through a keep-alive HTTP client (remote/http_client.h) and retried
// per the SDKs' standard mode (remote/retry_policy.h); the answer is
// decoded into the same result types and error names as a local Broker's.
//
// Operations Kinesis lacks go to brookd under the target prefix
// "Brook_20261201." (common/brook_target.h, server/brook_api.h); an endpoint
// that does not know them is remembered as such.
//
// Threads: the calling thread does the work of every blocking call; a pool
// of ConnectOptions::async_threads runs asynchronous puts; each
// SubscribeToShard subscription has a thread of its own that reads its
// event stream and calls its handler.
// Thread safety: safe for concurrent use by multiple threads without
// external synchronization.

#ifndef BROOK_REMOTE_REMOTE_BROKER_H_
#define BROOK_REMOTE_REMOTE_BROKER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aws/credentials.h"
#include "brook/broker.h"
#include "remote/http_client.h"
#include "remote/retry_policy.h"

namespace brook {

// Creates the remote Broker with settings already resolved; Connect()
// resolves them from the environment first.
absl::StatusOr<std::unique_ptr<Broker>> ConnectWithSettings(
    const ConnectOptions& options, const AwsSettings& settings);

inline constexpr absl::string_view kKinesisTargetPrefix = "Kinesis_20131202.";

}  // namespace brook

#endif  // BROOK_REMOTE_REMOTE_BROKER_H_
