// One HTTP/1.1 connection, plain or TLS: reads one request at a time (so
// pipelined requests are answered in order), runs its handler inline or on
// the executor, writes the answer, and keeps the connection alive when asked.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include "services/common/bounded_executor.h"
#include "services/http/connection_tracker.h"
#include "services/http/router.h"

namespace tokend::http {

struct SessionLimits {
  // Longest a request (or a response write) may take; also the keep-alive
  // idle timeout.
  std::chrono::milliseconds read_timeout{10000};
  size_t max_header_bytes = 8 * 1024;  // request line + headers; over it: 431
  size_t max_body_bytes = 16 * 1024;   // over it: 413
};

// What every connection shares; outlives them all.
struct SessionEnv {
  SessionEnv(SessionLimits l, Router r, BoundedExecutor& e, size_t max_connections)
      : limits(l), router(std::move(r)), executor(e), tracker(max_connections) {}
  const SessionLimits limits;
  const Router router;
  BoundedExecutor& executor;
  ConnectionTracker tracker;
};

// Serve `socket` (bound to its own strand). Over the connection cap the
// socket is closed at once.
void StartPlainSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionEnv> env);
void StartTlsSession(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                     std::shared_ptr<SessionEnv> env);

}  // namespace tokend::http
