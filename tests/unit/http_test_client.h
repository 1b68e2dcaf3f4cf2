// A blocking Beast HTTP client over real loopback sockets, for tests of the
// HTTP bridge (in process or inside a tokend process).
#pragma once

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tokend::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using HttpRequest = bhttp::request<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;

constexpr std::chrono::seconds kIoTimeout{10};

// One connection. Every operation gives up after kIoTimeout.
class HttpConnection {
 public:
  // `source`: the local address to connect from (e.g. "127.0.0.2"; all of
  // 127/8 is loopback on Linux); empty: the system's choice.
  HttpConnection(net::io_context& ioc, uint16_t port, const std::string& source = "")
      : ioc_(ioc), stream_(ioc) {
    if (!source.empty()) {
      stream_.socket().open(tcp::v4());
      stream_.socket().bind(tcp::endpoint(net::ip::make_address(source), 0));
    }
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  HttpResponse Send(HttpRequest req) {
    req.prepare_payload();
    beast::error_code ec;
    Run([&](auto done) { bhttp::async_write(stream_, req, done); }, ec);
    EXPECT_FALSE(ec) << ec.message();
    return Read();
  }

  void WriteRaw(const std::string& raw) {
    beast::error_code ec;
    Run([&](auto done) { net::async_write(stream_, net::buffer(raw), done); }, ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  HttpResponse Read(beast::error_code* error = nullptr) {
    HttpResponse res;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1 << 20);
    beast::error_code ec;
    Run([&](auto done) { bhttp::async_read(stream_, buffer_, parser, done); }, ec);
    if (error != nullptr) {
      *error = ec;
    } else {
      EXPECT_FALSE(ec) << ec.message();
    }
    return ec ? res : parser.release();
  }

  // True when the server closes the connection (EOF or reset) within `within`.
  bool ClosedByPeer(std::chrono::milliseconds within) {
    char byte;
    beast::error_code ec;
    Run([&](auto done) { stream_.async_read_some(net::buffer(&byte, 1), done); }, ec, within);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  template <typename Start>
  void Run(Start start, beast::error_code& ec,
           std::chrono::steady_clock::duration timeout = kIoTimeout) {
    stream_.expires_after(timeout);
    start([&ec](beast::error_code e, size_t) { ec = e; });
    ioc_.restart();
    ioc_.run();
  }

  net::io_context& ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

inline HttpRequest Get(const std::string& target) {
  HttpRequest req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "localhost");
  return req;
}

// A form POST; `authorization` empty: no header.
inline HttpRequest FormPost(const std::string& target, const std::string& body,
                            const std::string& authorization = "",
                            const std::string& content_type = "application/x-www-form-urlencoded") {
  HttpRequest req{bhttp::verb::post, target, 11};
  req.set(bhttp::field::host, "localhost");
  if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
  if (!authorization.empty()) req.set(bhttp::field::authorization, authorization);
  req.body() = body;
  return req;
}

inline google::protobuf::Struct ParseJson(const std::string& body) {
  google::protobuf::Struct out;
  auto st = google::protobuf::util::JsonStringToMessage(body, &out);
  EXPECT_TRUE(st.ok()) << body;
  return out;
}

inline std::string JsonString(const HttpResponse& res, const std::string& key) {
  auto json = ParseJson(res.body());
  auto it = json.fields().find(key);
  return it == json.fields().end() ? "" : it->second.string_value();
}

}  // namespace tokend::testing
