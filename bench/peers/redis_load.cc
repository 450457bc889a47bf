// Redis Streams through hiredis' blocking context: a producer appends a
// batch of XADD commands to the context's output buffer, writes them all,
// and reads the replies of its oldest batch only once `inflight` batches
// are unacknowledged. Redis with `appendfsync always` writes and fsyncs
// its append-only file before it sends the replies of an event-loop
// iteration, so a reply means the record is synced.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "hiredis.h"
#include "peers/peer_load.h"

namespace brook::bench {
namespace {

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string StreamKey(int shard) { return absl::StrCat("peer:", shard); }

absl::StatusOr<Context> Connect(const PeerConfig& config) {
  Context context(
      redisConnectWithTimeout(config.host.c_str(), config.port, timeval{5, 0}));
  if (context == nullptr)
    return absl::ResourceExhaustedError("redis: no memory");
  if (context->err != 0) {
    return absl::UnavailableError(absl::StrCat(
        "redis ", config.host, ":", config.port, ": ", context->errstr));
  }
  return context;
}

absl::StatusOr<Reply> NextReply(redisContext& context) {
  void* reply = nullptr;
  if (redisGetReply(&context, &reply) != REDIS_OK) {
    return absl::UnavailableError(absl::StrCat("redis: ", context.errstr));
  }
  return Reply(static_cast<redisReply*>(reply));
}

// Sends one command and returns its reply.
absl::StatusOr<Reply> Command(redisContext& context,
                              const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAppendCommandArgv(&context, static_cast<int>(argv.size()),
                             argv.data(), lengths.data()) != REDIS_OK) {
    return absl::UnavailableError(absl::StrCat("redis: ", context.errstr));
  }
  absl::StatusOr<Reply> reply = NextReply(context);
  if (reply.ok() && (*reply)->type == REDIS_REPLY_ERROR) {
    return absl::InternalError(
        absl::StrCat("redis ", args[0], ": ", (*reply)->str));
  }
  return reply;
}

absl::Status Produce(const PeerConfig& config, const Payloads& payloads,
                     int producer, const std::atomic<bool>& stop,
                     Progress& progress, LatencyHistogram& latency) {
  absl::StatusOr<Context> context = Connect(config);
  if (!context.ok()) return context.status();
  redisContext& redis = **context;
  std::deque<absl::Time> unacknowledged;  // Send time of each batch.
  int64_t bytes_per_batch = 0;

  auto await_oldest = [&]() -> absl::Status {
    for (int i = 0; i < config.batch; ++i) {
      absl::StatusOr<Reply> reply = NextReply(redis);
      if (!reply.ok()) return reply.status();
      if ((*reply)->type != REDIS_REPLY_STRING) {
        return absl::InternalError(
            absl::StrCat("redis XADD: ", (*reply)->type == REDIS_REPLY_ERROR
                                             ? (*reply)->str
                                             : "not an entry ID"));
      }
    }
    latency.Record(absl::Now() - unacknowledged.front());
    unacknowledged.pop_front();
    progress.Add(config.batch, bytes_per_batch);
    return absl::OkStatus();
  };

  for (int64_t next = 0; !stop.load(std::memory_order_relaxed);) {
    if (static_cast<int>(unacknowledged.size()) == config.inflight) {
      if (absl::Status status = await_oldest(); !status.ok()) return status;
    }
    const absl::Time sent = absl::Now();
    bytes_per_batch = 0;
    for (int i = 0; i < config.batch; ++i, ++next) {
      const PeerRecord record =
          MakePeerRecord(config, payloads, producer, next, sent);
      const std::string key = StreamKey(record.shard);
      const char* argv[] = {
          "XADD", key.data(),        "*", "pk", record.partition_key.data(),
          "data", record.data.data()};
      const size_t lengths[] = {
          4, key.size(),        1, 2, record.partition_key.size(),
          4, record.data.size()};
      if (redisAppendCommandArgv(&redis, 7, argv, lengths) != REDIS_OK) {
        return absl::UnavailableError(absl::StrCat("redis: ", redis.errstr));
      }
      bytes_per_batch += record.partition_key.size() + record.data.size();
    }
    for (int done = 0; done == 0;) {
      if (redisBufferWrite(&redis, &done) != REDIS_OK) {
        return absl::UnavailableError(absl::StrCat("redis: ", redis.errstr));
      }
    }
    unacknowledged.push_back(sent);
  }
  while (!unacknowledged.empty()) {
    if (absl::Status status = await_oldest(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PeerRun> RunRedisLoad(const PeerConfig& config) {
  absl::StatusOr<Context> admin = Connect(config);
  if (!admin.ok()) return admin.status();
  for (int shard = 0; shard < config.shards; ++shard) {
    if (absl::StatusOr<Reply> reply =
            Command(**admin, {"DEL", StreamKey(shard)});
        !reply.ok()) {
      return reply.status();
    }
  }
  absl::StatusOr<Reply> info = Command(**admin, {"INFO", "server"});
  if (!info.ok()) return info.status();

  const Payloads payloads(config.record_bytes);
  absl::StatusOr<PeerRun> run = RunProducers(
      config, "redis",
      [&](int producer, const std::atomic<bool>& stop, Progress& progress,
          LatencyHistogram& latency) {
        return Produce(config, payloads, producer, stop, progress, latency);
      });
  if (!run.ok()) return run;

  for (int shard = 0; shard < config.shards; ++shard) {
    absl::StatusOr<Reply> length = Command(**admin, {"XLEN", StreamKey(shard)});
    if (!length.ok()) return length.status();
    run->records_stored += (*length)->integer;
  }
  const std::string text((*info)->str, (*info)->len);
  const size_t at = text.find("redis_version:");
  run->server_version =
      at == std::string::npos
          ? "redis"
          : absl::StrCat("redis ",
                         text.substr(at + 14, text.find('\r', at) - at - 14));
  return run;
}

}  // namespace brook::bench
