// -----------------------------------------------------------------------------
// File: brook/connect_options.h
// -----------------------------------------------------------------------------
//
// Options of a remote Broker (Broker::Connect), one that performs every
// operation over the Kinesis JSON 1.1 wire API against Amazon Kinesis,
// brookd or another Kinesis-compatible server. Empty settings are found as
// the AWS SDKs find them (see Broker::Connect).
//
// Thread safety: plain values; copy them freely.

#ifndef BROOK_CONNECT_OPTIONS_H_
#define BROOK_CONNECT_OPTIONS_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace brook {

// The HTTP version of SubscribeToShard's event stream.
enum class SubscribeHttpVersion {
  // HTTP/2: over https with ALPN "h2" (Amazon Kinesis serves
  // SubscribeToShard only so), over http as h2c with prior knowledge
  // (brookd; the AWS SDKs' plain-text form).
  kHttp2,
  // HTTP/1.1, chunked: brookd serves it too; Amazon Kinesis does not.
  kHttp1_1,
};

struct ConnectOptions {
  // Credentials. Empty: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
  // AWS_SESSION_TOKEN, else the profile's keys in the shared credentials
  // and config files.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  // The profile of the shared files. Empty: AWS_PROFILE, else "default".
  std::string profile;
  // The region requests are signed for (and whose Kinesis endpoint is used
  // when none is given). Empty: AWS_REGION, AWS_DEFAULT_REGION, the
  // profile's region; with an explicit endpoint and none of these,
  // "us-east-1".
  std::string region;

  // HTTPS: verify the server's certificate chain and host name.
  // Default: true.
  bool verify_tls = true;
  // A PEM file of CA certificates to trust instead of the system's store.
  // Default: empty (the system's).
  std::string ca_file;

  // Connecting, TLS handshake included. Default: 10 s.
  absl::Duration connect_timeout = absl::Seconds(10);
  // One attempt of one call, from sending the request to the last byte of
  // the response; for SubscribeToShard, the longest silence between events
  // (Kinesis sends one at least every 5 s). Default: 30 s.
  absl::Duration request_timeout = absl::Seconds(30);
  // Keep-alive connections kept open for reuse. Default: 16.
  int max_idle_connections = 16;

  // SubscribeToShard's event stream, one connection per subscription.
  // kHttp2 works against Amazon Kinesis and brookd alike; a server that
  // does not speak HTTP/2 makes SubscribeToShard fail with
  // InvalidArgumentException naming the endpoint. Default: kHttp2.
  SubscribeHttpVersion subscribe_http_version = SubscribeHttpVersion::kHttp2;
  // HTTP/2: how many bytes of a subscription's events the endpoint may
  // send ahead of its handler (the flow-control window of the stream and
  // of its connection; acknowledged only as the handler takes the events).
  // A subscription buffers at most this plus one event. At least 65535
  // (HTTP/2's initial window); at most 2^31-1. Default: 1 MiB.
  int subscribe_window_bytes = 1 << 20;

  // Retries, as the AWS SDKs' standard retry mode: throttling errors,
  // HTTP 500/502/503/504, InternalFailure and transport failures are tried
  // again, up to `max_attempts` attempts in all, after a pause drawn
  // uniformly from [0, min(max_backoff, backoff_base * 2^(retry-1))].
  // Each retry spends 5 tokens of a quota of `retry_quota` (10 after a
  // timeout) and each success returns them (1 for a first-try success),
  // so that an endpoint that keeps failing is not hammered. Per-record
  // failures inside a PutRecords answer are never retried here: they are
  // returned as they are (see brook/retry.h).
  // Defaults: 3 attempts, 1 s, 20 s, 500 tokens.
  int max_attempts = 3;
  absl::Duration backoff_base = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(20);
  int retry_quota = 500;
  // How to wait between attempts. Default (empty): absl::SleepFor.
  std::function<void(absl::Duration)> sleep;

  // Amazon Kinesis applies CreateStream, DeleteStream, the reshards and
  // RegisterStreamConsumer in the background (the stream is CREATING,
  // UPDATING, DELETING); brookd at once. To keep an application's code
  // the same on either, those calls return only once the stream (or
  // consumer) is ACTIVE again, or gone after a delete, polling every
  // `wait_poll_interval` for at most `wait_timeout` (then they fail with
  // InternalFailure: the change was accepted but is not done yet). A zero
  // `wait_timeout` returns at once, as the Kinesis API does.
  // Defaults: 5 minutes, 1 s.
  absl::Duration wait_timeout = absl::Minutes(5);
  absl::Duration wait_poll_interval = absl::Seconds(1);

  // Threads that run PutRecordAsync / PutRecordsAsync, and how many such
  // puts may be queued or running before a new one waits.
  // Defaults: 4 and 64.
  int async_threads = 4;
  int max_pending_async_puts = 64;

  // ConnectOptions::Validate()
  //
  // OK, or InvalidArgumentException naming the first bad field.
  absl::Status Validate() const;
};

}  // namespace brook

#endif  // BROOK_CONNECT_OPTIONS_H_
