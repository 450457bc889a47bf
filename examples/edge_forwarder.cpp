// An edge forwarder: a device's producer writes telemetry to a local Brook
// stream, which keeps every reading even while the uplink is down, and a
// StreamMirror forwards the stream to a remote Kinesis endpoint (Amazon
// Kinesis, or brookd), each sensor's readings in order.
//
//   edge_forwarder DATA_DIR ENDPOINT [readings]   (default: 2000 readings)
//
// ENDPOINT is "https://kinesis.REGION.amazonaws.com" (credentials as the
// AWS SDKs find them) or "http://127.0.0.1:4567" for a local brookd.

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "brook/retry.h"
#include "brook/stream_mirror.h"

namespace {

constexpr char kStream[] = "telemetry";
constexpr int kSensors = 40;

int Fail(const absl::Status& status) {
  std::cerr << "error: " << brook::ErrorNameOf(status) << ": "
            << status.message() << "\n";
  return 1;
}

// Creates the local stream unless it is there already (a restart).
absl::Status EnsureLocalStream(brook::Broker& local) {
  brook::CreateStreamRequest create;
  create.stream_name = kStream;
  create.shard_count = 2;
  absl::Status created = local.CreateStream(create);
  if (brook::ErrorNameOf(created) ==
      brook::ErrorName::kResourceInUseException) {
    return absl::OkStatus();
  }
  return created;
}

// The device's side: readings go to the local stream, whatever the uplink.
absl::Status Produce(brook::Broker& local, int readings) {
  brook::PutRecordsRequest batch;
  batch.stream = kStream;
  for (int i = 0; i < readings; ++i) {
    const std::string sensor = absl::StrCat("sensor-", i % kSensors);
    batch.records.push_back(
        {sensor,
         absl::StrCat(R"({"sensor":")", sensor, R"(","reading":)", i, "}"),
         ""});
    if (batch.records.size() == 200 || i + 1 == readings) {
      absl::StatusOr<brook::PutRecordsResult> put =
          brook::PutRecordsWithRetry(local, batch);
      if (!put.ok()) return put.status();
      if (put->failed_record_count > 0) {
        return put->records[0].status.ok() ? put->records.back().status
                                           : put->records[0].status;
      }
      batch.records.clear();
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: edge_forwarder DATA_DIR ENDPOINT [readings]\n";
    return 2;
  }
  const int readings = argc > 3 ? std::atoi(argv[3]) : 2000;

  auto local = brook::Broker::Open(brook::BrokerOptions(), argv[1]);
  if (!local.ok()) return Fail(local.status());
  if (absl::Status s = EnsureLocalStream(**local); !s.ok()) return Fail(s);
  auto remote = brook::Broker::Connect(brook::ConnectOptions(), argv[2]);
  if (!remote.ok()) return Fail(remote.status());

  brook::StreamMirrorOptions options;
  options.source_stream = kStream;
  auto mirror =
      brook::StreamMirror::Start(local->get(), remote->get(), options);
  if (!mirror.ok()) return Fail(mirror.status());

  if (absl::Status s = Produce(**local, readings); !s.ok()) return Fail(s);
  const bool caught_up = (*mirror)->WaitUntilCaughtUp(absl::Minutes(2));
  const brook::StreamMirrorMetrics metrics = (*mirror)->metrics();
  std::cout << "forwarded " << metrics.records_forwarded << " readings to "
            << argv[2] << "; " << metrics.records_pending << " pending, lag "
            << metrics.lag_millis << " ms, "
            << metrics.failed_requests + metrics.failed_records << " retried\n";
  if (absl::Status s = (*mirror)->Stop(); !s.ok()) return Fail(s);
  if (!caught_up) return Fail(metrics.last_error);
  return 0;
}
