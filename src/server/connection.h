// What brookd's connections and the server that accepts them ask of each
// other. A connection (HTTP/1.1 or HTTP/2, over TCP or TLS, or one whose
// protocol is still being sniffed) is a Connection; the server is its
// ConnectionHost, which owns what connections share: the options, the
// request path, the body budget and the handler pool.
//
// Threads: a connection works on its own strand; the Connection methods
// below may be called from any thread and never wait. ConnectionHost's
// methods are safe for concurrent use by multiple threads.
// Lifetime: the host outlives every connection (the server's Stop() ends
// them before it returns).

#ifndef BROOK_SERVER_CONNECTION_H_
#define BROOK_SERVER_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/time/time.h"
#include "boost/asio/thread_pool.hpp"
#include "server/api_exchange.h"
#include "server/request_budget.h"

namespace brook {

struct HttpServerOptions;

class Connection {
 public:
  virtual ~Connection() = default;

  // Whether the connection may be closed to make room for a new one at the
  // connection cap: not while an operation or a subscription of its runs.
  virtual bool Sheddable() const = 0;
  // When it last made progress (steady clock, nanoseconds).
  virtual int64_t last_progress() const = 0;
  // Closes the connection (from its strand), once; false if it was shed
  // already.
  virtual bool Shed() = 0;
  // For the server's shutdown: answers what is in flight, tells the client
  // (HTTP/2: GOAWAY), ends every subscription and closes.
  virtual void PostShutdown() = 0;
};

class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;

  virtual const HttpServerOptions& options() const = 0;
  virtual const ApiExchange& exchange() const = 0;
  virtual RequestBudget& budget() = 0;
  // Runs operations, signature checks over bodies and /metrics, off the
  // I/O threads.
  virtual boost::asio::thread_pool& handlers() = 0;
  // Gives request body bytes taken from budget() back.
  virtual void ReleaseBody(size_t bytes) = 0;

  // Registers a connection for the cap and shedding (held weakly), and
  // forgets it (from its destructor).
  virtual void AddConnection(const std::shared_ptr<Connection>& c) = 0;
  virtual void RemoveConnection(Connection* c) = 0;
  // A connection that serves a subscription is held until it stops, so
  // that the server's shutdown can end it before the Broker closes.
  virtual void AddStreaming(std::shared_ptr<Connection> c) = 0;
  virtual void RemoveStreaming(Connection* c) = 0;
};

using SteadyClock = std::chrono::steady_clock;

inline SteadyClock::duration ToSteady(absl::Duration duration) {
  return std::chrono::duration_cast<SteadyClock::duration>(
      absl::ToChronoNanoseconds(duration));
}

inline int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace brook

#endif  // BROOK_SERVER_CONNECTION_H_
