// The accept loop: hands each accepted socket, on its own strand, to a plain
// or TLS session (which enforces the connection cap).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "services/http/http_session.h"

namespace tokend::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // `tls` null: plain HTTP. It must outlive the I/O context.
  Listener(boost::asio::io_context& ioc, std::shared_ptr<SessionEnv> env,
           boost::asio::ssl::context* tls);

  // Binds and listens; UNAVAILABLE with the system's reason on failure.
  absl::Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  uint16_t port() const;

  void Start();  // begins accepting
  void Stop();   // closes the acceptor (from any thread)

 private:
  void Accept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  std::shared_ptr<SessionEnv> env_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after an accept error (e.g. out of descriptors)
};

}  // namespace tokend::http
