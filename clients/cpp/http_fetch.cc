#include "http_fetch.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tokend::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

absl::StatusOr<Url> ParseUrl(const std::string& url) {
  Url u;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    u.tls = true;
  } else if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError("the URL must start with http:// or https://");
  }
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  u.target = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos && authority.find(']', colon) == absl::string_view::npos) {
    u.host = std::string(authority.substr(0, colon));
    u.port = std::string(authority.substr(colon + 1));
  } else {
    u.host = std::string(authority);
    u.port = u.tls ? "443" : "80";
  }
  if (u.host.size() > 2 && u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  int port = 0;
  if (u.host.empty() || !absl::SimpleAtoi(u.port, &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError("the URL needs a host and a valid port");
  }
  return u;
}

bhttp::request<bhttp::string_body> BuildRequest(const Url& u, const std::string& form,
                                                const std::map<std::string, std::string>& headers) {
  bhttp::request<bhttp::string_body> req{form.empty() ? bhttp::verb::get : bhttp::verb::post,
                                         u.target, 11};
  req.set(bhttp::field::host, u.host);
  req.set(bhttp::field::user_agent, "tokend-client");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!form.empty()) {
    req.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
    req.body() = form;
  }
  req.prepare_payload();
  return req;
}

// Beast's stream timeouts (expires_after) bind only asynchronous operations:
// each step runs as one, driven to its end here; throws on error or timeout.
template <typename Start>
void Await(net::io_context& ioc, Start start) {
  beast::error_code ec;
  start([&ec](beast::error_code e, auto&&...) { ec = e; });
  ioc.restart();
  ioc.run();
  if (ec) throw beast::system_error(ec);
}

template <typename Stream>
HttpReply Exchange(net::io_context& ioc, Stream& stream,
                   const bhttp::request<bhttp::string_body>& req) {
  Await(ioc, [&](auto done) { bhttp::async_write(stream, req, done); });
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1 << 20);
  Await(ioc, [&](auto done) { bhttp::async_read(stream, buffer, parser, done); });
  auto res = parser.release();
  return {static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace

absl::StatusOr<HttpReply> HttpCall(const std::string& url, const std::string& form,
                                   const std::map<std::string, std::string>& headers,
                                   const HttpOptions& options) {
  auto u = ParseUrl(url);
  if (!u.ok()) return u.status();
  auto req = BuildRequest(*u, form, headers);
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(u->host, u->port);
    if (!u->tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(options.timeout);  // the whole exchange
      Await(ioc, [&](auto done) { stream.async_connect(endpoints, done); });
      HttpReply reply = Exchange(ioc, stream, req);
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return reply;
    }
    net::ssl::context ctx(net::ssl::context::tls_client);
    if (options.ca_file.empty()) {
      ctx.set_default_verify_paths();
    } else {
      ctx.load_verify_file(options.ca_file);
    }
    ctx.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    // The certificate must name the host: its IP address for an IP literal,
    // else its DNS name (also sent as SNI).
    boost::system::error_code ip_ec;
    net::ip::make_address(u->host, ip_ec);
    if (!ip_ec) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), u->host.c_str());
    } else {
      SSL_set_tlsext_host_name(stream.native_handle(), u->host.c_str());
      SSL_set1_host(stream.native_handle(), u->host.c_str());
    }
    beast::get_lowest_layer(stream).expires_after(options.timeout);  // the whole exchange
    Await(ioc, [&](auto done) { beast::get_lowest_layer(stream).async_connect(endpoints, done); });
    Await(ioc, [&](auto done) { stream.async_handshake(net::ssl::stream_base::client, done); });
    HttpReply reply = Exchange(ioc, stream, req);
    // The peer may just close: not an error for us (nor may it stall us).
    stream.async_shutdown([](beast::error_code) {});
    ioc.restart();
    ioc.run();
    return reply;
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("HTTP ", url, ": ", e.what()));
  }
}

}  // namespace tokend::client
