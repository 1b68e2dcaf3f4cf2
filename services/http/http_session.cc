#include "services/http/http_session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "services/http/access_log.h"
#include "services/http/json_response.h"
#include "services/logging/request_id.h"
#include "services/token/oauth_error.h"

namespace tokend::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// After the last response: how long to wait for the client to close.
constexpr std::chrono::milliseconds kMaxLinger{2000};
// Unread bytes discarded while lingering before the socket is closed.
constexpr size_t kMaxDrainBytes = 1 << 20;
// Longer request paths are cut in the access line.
constexpr size_t kMaxLoggedPath = 256;

template <typename Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <typename... StreamArgs>
  explicit Session(std::shared_ptr<SessionEnv> env, StreamArgs&&... args)
      : env_(std::move(env)),
        stream_(std::forward<StreamArgs>(args)...),
        buffer_(env_->limits.max_header_bytes + env_->limits.max_body_bytes + 4096) {}
  ~Session() override { env_->tracker.Remove(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void Close() override {
    net::post(stream_.get_executor(),
              [self = this->shared_from_this()] { self->Lowest().close(); });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    boost::system::error_code ec;
    auto remote = Lowest().socket().remote_endpoint(ec);
    if (!ec) peer_ = remote.address().to_string();
    if constexpr (kTls) {
      Lowest().expires_after(env_->limits.read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    request_id_.clear();
    method_.clear();
    path_.clear();
    parser_.emplace();
    parser_->header_limit(env_->limits.max_header_bytes);
    parser_->body_limit(env_->limits.max_body_bytes);
    Lowest().expires_after(env_->limits.read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (!beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) return ReadBody();
    continue_.emplace(bhttp::status::continue_, parser_->get().version());
    bhttp::async_write(stream_, *continue_,
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         if (!ec) self->ReadBody();
                       });
  }

  void ReadBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    Lowest().expires_never();
    busy_ = env_->tracker.TrackRequest();
    Request req = parser_->release();
    // Only the bridge itself says who the peer is (login throttling).
    req.set(kPeerAddressField, peer_);
    request_id_ = logging::RequestIdOr(ToAbsl(req[kRequestIdField]));
    method_ = std::string(ToAbsl(req.method_string()));
    absl::string_view target = ToAbsl(req.target());
    path_ = std::string(target.substr(0, std::min(target.find('?'), kMaxLoggedPath)));
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    Router::Match match = env_->router.Find(req);
    stats_ = match.route != nullptr ? match.route->stats : env_->router.unmatched();
    started_ = std::chrono::steady_clock::now();
    if (match.route == nullptr) return Send(std::move(match.response));
    if (match.route->mode == Mode::kInline) return Send(match.route->handler(req));
    if (match.route->fast && TryFast(*match.route, req)) return;
    Submit(&match.route->handler, std::make_shared<const Request>(std::move(req)));
  }

  // The route's non-blocking attempt; its answer comes back to this
  // connection's strand like an executor's.
  bool TryFast(const Route& route, const Request& req) {
    std::shared_ptr<ConnectionTracker::Scope> task = env_->tracker.TrackTask();
    return route.fast(req, [self = this->shared_from_this(), task](Response res) mutable {
      auto strand = self->stream_.get_executor();
      net::post(strand, [self = std::move(self), res = std::move(res), task]() mutable {
        self->Send(std::move(res));
      });
    });
  }

  // Runs a blocking handler on the executor; its answer comes back to this
  // connection's strand. The task scope ends only after the answer is posted.
  void Submit(const Handler* handler, std::shared_ptr<const Request> req) {
    std::shared_ptr<ConnectionTracker::Scope> task = env_->tracker.TrackTask();
    bool queued =
        env_->executor.TrySubmit([self = this->shared_from_this(), handler, req, task]() mutable {
          Response res = self->env_->tracker.abandoned() ? OverloadedResponse() : (*handler)(*req);
          auto strand = self->stream_.get_executor();
          net::post(strand, [self = std::move(self), res = std::move(res)]() mutable {
            self->Send(std::move(res));
          });
        });
    if (!queued) Send(OverloadedResponse());
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendFinal(
          bhttp::status::payload_too_large,
          absl::StrCat("The request body exceeds ", env_->limits.max_body_bytes, " bytes."));
    }
    if (ec == bhttp::error::header_limit) {
      return SendFinal(
          bhttp::status::request_header_fields_too_large,
          absl::StrCat("The request headers exceed ", env_->limits.max_header_bytes, " bytes."));
    }
    bool malformed = ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                     ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (malformed)
      return SendFinal(bhttp::status::bad_request, "The request is not valid HTTP/1.1.");
    // End of stream, timeout, reset: nothing to answer.
    Lowest().close();
  }

  // An answer after which the connection cannot continue.
  void SendFinal(bhttp::status status, absl::string_view description) {
    version_ = 11;
    keep_alive_ = false;
    started_ = std::chrono::steady_clock::now();
    Send(ErrorResponse(status, oauth::MappingFor(oauth::ErrorCode::kInvalidRequest).name,
                       description));
  }

  // Every answer passes here: metrics, request id and the access line.
  void Send(Response res) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (stats_ != nullptr) {
      stats_->Record(res.result_int(), seconds);
      stats_ = nullptr;
    }
    if (request_id_.empty()) request_id_ = logging::NewRequestId();
    res.set(kRequestIdField, request_id_);
    LogAccessAndStripNotes(res, {.request_id = request_id_,
                                 .method = method_,
                                 .path = path_,
                                 .latency_seconds = seconds});
    res.version(version_);
    res.keep_alive(keep_alive_ && !env_->tracker.stopping());
    res.set(bhttp::field::server, "tokend");
    res.prepare_payload();
    response_.emplace(std::move(res));
    Lowest().expires_after(env_->limits.read_timeout);
    bhttp::async_write(
        stream_, *response_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    bool keep_alive = response_->keep_alive();
    response_.reset();
    busy_.reset();
    if (ec) return;
    if (keep_alive) return ReadHeader();
    Finish();
  }

  // Graceful close: stop sending, then discard what the client still sends
  // (an unread request body would otherwise turn the close into a reset that
  // can destroy the answer before the client reads it).
  void Finish() {
    Lowest().expires_after(std::min(kMaxLinger, env_->limits.read_timeout));
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Lowest().close(); });
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (!ec && self->drained_ < kMaxDrainBytes) self->Drain();
                            });
  }

  std::shared_ptr<SessionEnv> env_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<Response> response_;
  std::unique_ptr<ConnectionTracker::Scope> busy_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::string peer_;  // the client's IP address
  RouteStats* stats_ = nullptr;  // the request being answered, for /metrics
  // The request being answered, for its access line and X-Request-Id.
  std::string request_id_, method_, path_;
  std::chrono::steady_clock::time_point started_;
  size_t drained_ = 0;
};

template <typename Stream, typename... StreamArgs>
void Launch(std::shared_ptr<SessionEnv> env, StreamArgs&&... args) {
  auto session = std::make_shared<Session<Stream>>(env, std::forward<StreamArgs>(args)...);
  if (env->tracker.Admit(session)) session->Start();
}

}  // namespace

void StartPlainSession(tcp::socket socket, std::shared_ptr<SessionEnv> env) {
  Launch<PlainStream>(std::move(env), std::move(socket));
}

void StartTlsSession(tcp::socket socket, net::ssl::context& tls, std::shared_ptr<SessionEnv> env) {
  Launch<TlsStream>(std::move(env), std::move(socket), tls);
}

}  // namespace tokend::http
