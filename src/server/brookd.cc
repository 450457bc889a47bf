// brookd: Brook as a local Kinesis. Serves the Kinesis API (JSON 1.1 and
// CBOR bodies, HTTP/1.1 and HTTP/2, plain or TLS, all on one port) on one
// data directory, so that the AWS CLI and SDKs work against it unchanged
// with their defaults and several processes share one set of streams.
//
// Exit codes: 0 after a clean shutdown (SIGINT or SIGTERM); 2 for bad flags;
// 3 if the data directory cannot be opened; 4 if the address cannot be
// bound; 1 if closing failed.

#include <signal.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "brook/broker.h"
#include "brook/error.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "server/http_server.h"
#include "server/kinesis_api.h"
#include "server/tls.h"

ABSL_FLAG(std::string, data_dir, "brook-data",
          "The Brook data directory to serve; created if missing.");
ABSL_FLAG(std::string, host, "127.0.0.1",
          "The address to listen on. The default, loopback, keeps the "
          "server to this machine, which is what you want without "
          "--access_key_id: requests are then not authenticated.");
ABSL_FLAG(std::string, access_key_id, "",
          "With --secret_access_key: accept only requests signed (AWS "
          "Signature Version 4) with this key pair.");
ABSL_FLAG(std::string, secret_access_key, "", "The secret of --access_key_id.");
ABSL_FLAG(int, port, 4567,
          "The TCP port to listen on (Kinesis emulators' "
          "usual 4567).");
ABSL_FLAG(std::string, durability, "sync",
          "What an acknowledged put survives: sync (a crash of the machine), "
          "nosync (a crash of brookd), nowal (a clean shutdown only).");
ABSL_FLAG(std::string, limits, "kinesis",
          "Throughput limits of the streams CreateStream makes: kinesis "
          "(per shard: writes 1 MiB/s and 1,000 records/s, classic reads "
          "2 MiB/s and 5 calls/s) or unlimited (for load tests).");
ABSL_FLAG(uint64_t, min_free_disk_mib, 256,
          "MiB the data directory's filesystem must keep free: below it, "
          "puts are refused (and /health answers 503) while deletions and "
          "retention still run; 0 disables the floor.");
ABSL_FLAG(std::string, key_directory, "",
          "Where the master keys of encrypted streams (StartStreamEncryption) "
          "are kept; default: --data_dir followed by '.keys'. Keep it out of "
          "the data directory.");
ABSL_FLAG(int, io_threads, 2, "Threads for connections.");
ABSL_FLAG(int, handler_threads, 16,
          "Threads that run operations; each waits while its put syncs.");
ABSL_FLAG(int, max_connections, 512,
          "Connections at once. At the cap, a new connection sheds the one "
          "that has gone longest without progress; if every one is busy "
          "(running an operation or streaming), the new one is closed.");
ABSL_FLAG(int, max_buffered_request_mib, 256,
          "MiB of request bodies held in memory at once, over all "
          "connections; a request that does not fit waits, then gets 503 "
          "ServiceUnavailable. At least 16 (one largest body).");
ABSL_FLAG(int, header_timeout_s, 10,
          "Seconds a request's headers may take from its first byte; also "
          "the grace before --min_body_kib_per_s applies, and the longest "
          "a body may go without a byte.");
ABSL_FLAG(int, min_body_kib_per_s, 16,
          "The slowest rate, in KiB/s, at which a request body may arrive.");
ABSL_FLAG(int, idle_timeout_s, 60,
          "Seconds a kept-alive connection may wait for its next request.");
ABSL_FLAG(int, write_timeout_s, 30,
          "Seconds a write to a client (a response, a SubscribeToShard "
          "event) may go without progress before the connection, and its "
          "subscription, ends.");
ABSL_FLAG(int, subscription_lifetime_s, 300,
          "Seconds a SubscribeToShard subscription lasts before it ends and "
          "the consumer subscribes again (Kinesis: 5 minutes).");
ABSL_FLAG(std::string, metrics_token, "",
          "When set, GET /metrics accepts 'Authorization: Bearer TOKEN' (and "
          "needs it, or a Signature Version 4 signature by "
          "--access_key_id).");

ABSL_FLAG(int, max_streams_per_connection, 100,
          "HTTP/2 streams one connection may have open at once.");
ABSL_FLAG(std::string, tls_cert, "",
          "A PEM certificate chain: connections that open with a TLS "
          "handshake are served over TLS (HTTP/2 or HTTP/1.1) on the same "
          "port. Needs --tls_key.");
ABSL_FLAG(std::string, tls_key, "", "The PEM private key of --tls_cert.");
ABSL_FLAG(bool, tls_self_signed, false,
          "Serve TLS with a self-signed certificate for localhost, for local "
          "use. With --tls_cert and --tls_key naming files that do not exist "
          "yet, the pair is written there (so that clients can trust the "
          "certificate) and reused on the next start.");

namespace {

int Usage(const std::string& message) {
  std::cerr << "brookd: " << message << "\n";
  return 2;
}

bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return brook::InvalidArgument(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status WriteFile(const std::string& path, const std::string& text,
                       mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out || chmod(path.c_str(), mode) != 0) {
    return brook::InvalidArgument(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

// The TLS pair the flags ask for, if any.
absl::StatusOr<std::optional<brook::TlsKeyPair>> TlsPairFromFlags() {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (cert.empty() != key.empty()) {
    return brook::InvalidArgument("--tls_cert and --tls_key go together");
  }
  const bool self_signed = absl::GetFlag(FLAGS_tls_self_signed);
  if (cert.empty() && !self_signed) return std::nullopt;
  if (!cert.empty() && (Exists(cert) || !self_signed)) {
    brook::TlsKeyPair pair;
    BROOK_ASSIGN_OR_RETURN(pair.certificate_chain_pem, ReadFile(cert));
    BROOK_ASSIGN_OR_RETURN(pair.private_key_pem, ReadFile(key));
    return pair;
  }
  BROOK_ASSIGN_OR_RETURN(
      brook::TlsKeyPair pair,
      brook::GenerateSelfSignedPair(absl::GetFlag(FLAGS_host)));
  if (!cert.empty()) {
    BROOK_RETURN_IF_ERROR(WriteFile(key, pair.private_key_pem, 0600));
    BROOK_RETURN_IF_ERROR(WriteFile(cert, pair.certificate_chain_pem, 0644));
  }
  return pair;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves a Brook data directory as a Kinesis-compatible endpoint.\n"
      "  brookd --data_dir=DIR --port=4567\n"
      "then, for example:\n"
      "  aws --endpoint-url http://127.0.0.1:4567 kinesis list-streams");
  absl::ParseCommandLine(argc, argv);

  brook::BrokerOptions options;
  const std::string durability = absl::GetFlag(FLAGS_durability);
  if (durability == "sync") {
    options.durability = brook::Durability::kSync;
  } else if (durability == "nosync") {
    options.durability = brook::Durability::kNoSync;
  } else if (durability == "nowal") {
    options.durability = brook::Durability::kNoWal;
  } else {
    return Usage(absl::StrCat("unknown --durability '", durability, "'"));
  }
  options.min_free_disk_bytes = absl::GetFlag(FLAGS_min_free_disk_mib) << 20;
  const int lifetime_s = absl::GetFlag(FLAGS_subscription_lifetime_s);
  if (lifetime_s < 1)
    return Usage("--subscription_lifetime_s must be positive");
  options.subscription_lifetime = absl::Seconds(lifetime_s);
  options.key_directory = absl::GetFlag(FLAGS_key_directory);
  brook::KinesisApiOptions api_options;
  const std::string limits = absl::GetFlag(FLAGS_limits);
  if (limits == "unlimited") {
    api_options.new_stream_limits = brook::StreamLimits::Unlimited();
  } else if (limits != "kinesis") {
    return Usage(absl::StrCat("unknown --limits '", limits, "'"));
  }
  const int port = absl::GetFlag(FLAGS_port);
  if (port < 0 || port > 65535) return Usage("--port must be 0 to 65535");
  brook::HttpServerOptions server_options;
  server_options.address = absl::GetFlag(FLAGS_host);
  server_options.port = static_cast<uint16_t>(port);
  server_options.io_threads = absl::GetFlag(FLAGS_io_threads);
  server_options.handler_threads = absl::GetFlag(FLAGS_handler_threads);
  server_options.max_connections = absl::GetFlag(FLAGS_max_connections);
  server_options.max_streams_per_connection =
      absl::GetFlag(FLAGS_max_streams_per_connection);
  const int budget_mib = absl::GetFlag(FLAGS_max_buffered_request_mib);
  const int min_body_kib = absl::GetFlag(FLAGS_min_body_kib_per_s);
  if (budget_mib < 1 || min_body_kib < 1) {
    return Usage(
        "--max_buffered_request_mib and --min_body_kib_per_s must "
        "be positive");
  }
  server_options.max_buffered_request_bytes = size_t(budget_mib) << 20;
  server_options.min_body_bytes_per_second = size_t(min_body_kib) << 10;
  server_options.header_timeout =
      absl::Seconds(absl::GetFlag(FLAGS_header_timeout_s));
  server_options.idle_timeout =
      absl::Seconds(absl::GetFlag(FLAGS_idle_timeout_s));
  server_options.write_timeout =
      absl::Seconds(absl::GetFlag(FLAGS_write_timeout_s));
  server_options.metrics_token = absl::GetFlag(FLAGS_metrics_token);
  const std::string access_key_id = absl::GetFlag(FLAGS_access_key_id);
  const std::string secret_access_key = absl::GetFlag(FLAGS_secret_access_key);
  if (access_key_id.empty() != secret_access_key.empty()) {
    return Usage("--access_key_id and --secret_access_key go together");
  }
  if (!access_key_id.empty()) {
    server_options.credentials[access_key_id] = secret_access_key;
  }
  absl::StatusOr<std::optional<brook::TlsKeyPair>> tls = TlsPairFromFlags();
  if (!tls.ok()) return Usage(std::string(tls.status().message()));
  server_options.tls = *std::move(tls);
  if (absl::Status valid = server_options.Validate(); !valid.ok()) {
    return Usage(std::string(valid.message()));
  }

#ifdef __GLIBC__
  // Request bodies, parsed requests and responses run to 16 MiB. glibc
  // would raise its mmap threshold to their size after the first is freed,
  // and from then on keep them in its arenas, resident after the load is
  // gone; a fixed threshold hands every large block back when it is freed.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  // A fixed threshold also leaves the trim threshold at glibc's 128 KiB:
  // each request's blocks under 1 MiB (a 500-record body, its parsed
  // value tree) were handed back as they were freed and faulted in afresh
  // by the next request, about 0.5 page faults and a tenth of brookd's CPU
  // per 1 KiB record. Each arena (glibc makes at most 8 per core) now
  // keeps up to 4 MiB free for the next request.
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif

  // Signals are taken by sigwait() below, not by whichever thread runs.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  auto broker = brook::Broker::Open(options, data_dir);
  if (!broker.ok()) {
    std::cerr << "brookd: cannot open " << data_dir << ": "
              << brook::ErrorNameOf(broker.status()) << ": "
              << broker.status().message() << "\n";
    return 3;
  }
  brook::KinesisApi api(broker->get(), api_options);
  brook::HttpServer server(&api, broker->get(), server_options);
  if (absl::Status started = server.Start(); !started.ok()) {
    std::cerr << "brookd: " << started.message() << "\n";
    return 4;
  }
  const char* signatures = server_options.credentials.empty()
                               ? "request signatures are not checked"
                               : "requests must be signed";
  const std::string where =
      absl::StrCat(server_options.address, ":", server.port());
  std::cout << "brookd: serving " << data_dir << " on http://" << where
            << (server_options.tls.has_value()
                    ? absl::StrCat(" and https://", where)
                    : std::string())
            << " (durability " << durability << ", " << limits << " limits; "
            << signatures << ")" << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "brookd: stopping on signal " << signal_number << std::endl;
  server.Stop();  // Answers the requests in flight.
  if (absl::Status closed = (*broker)->Close(); !closed.ok()) {
    std::cerr << "brookd: closing: " << closed.message() << "\n";
    return 1;
  }
  std::cout << "brookd: stopped" << std::endl;
  return 0;
}
