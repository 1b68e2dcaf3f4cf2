#include "services/logging/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace tokend::logging {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};
std::atomic<std::function<void(absl::string_view)>*> g_sink{nullptr};

// "2024-05-01T12:34:56.789Z": the date and time down to the second are
// formatted once per second per thread.
void AppendTime(std::string& out) {
  struct CachedSecond {
    time_t second = -1;
    char text[24];  // "YYYY-MM-DDTHH:MM:SS."
  };
  thread_local CachedSecond cached;
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (now.tv_sec != cached.second) {
    tm utc;
    gmtime_r(&now.tv_sec, &utc);
    strftime(cached.text, sizeof(cached.text), "%Y-%m-%dT%H:%M:%S.", &utc);
    cached.second = now.tv_sec;
  }
  out.append(cached.text);
  int ms = static_cast<int>(now.tv_nsec / 1000000);
  char tail[5] = {static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                  static_cast<char>('0' + ms % 10), 'Z', '\0'};
  out.append(tail, 4);
}

void Write(absl::string_view line) {
  if (auto* sink = g_sink.load(std::memory_order_acquire)) return (*sink)(line);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// The length of the valid UTF-8 sequence at the start of `s` (which starts
// with a byte >= 0x80), or 0 when it is not one (RFC 3629 §4: no overlong
// forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(absl::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < s.size() && b(i) >= lo && b(i) <= hi;
  };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

std::optional<Level> LevelFromName(absl::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  return std::nullopt;
}

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "error";
}

void SetMinLevel(Level level) { g_min_level.store(static_cast<int>(level), std::memory_order_relaxed); }

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

void AppendJsonEscaped(absl::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < value.size()) {
    // Copy the run that needs no escaping in one go.
    size_t run = i;
    while (run < value.size()) {
      unsigned char c = static_cast<unsigned char>(value[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7F) break;
      ++run;
    }
    out.append(value.data() + i, run - i);
    i = run;
    if (i == value.size()) break;
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(value.substr(i));
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(value.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:  // other control characters and DEL
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
}

Line::Line(Level level, absl::string_view msg) : on_(Enabled(level)) {
  if (!on_) return;
  buf_.reserve(256);
  buf_.append("{\"level\":\"");
  buf_.append(LevelName(level).data(), LevelName(level).size());
  buf_.append("\",\"time\":\"");
  AppendTime(buf_);
  buf_.append("\",\"msg\":\"");
  AppendJsonEscaped(msg, buf_);
  buf_.push_back('"');
}

Line::~Line() {
  if (!on_) return;
  buf_.append("}\n");
  Write(buf_);
}

void Line::Key(absl::string_view key) {
  buf_.append(",\"");
  AppendJsonEscaped(key, buf_);
  buf_.append("\":");
}

Line& Line::Str(absl::string_view key, absl::string_view value) {
  if (!on_) return *this;
  Key(key);
  buf_.push_back('"');
  AppendJsonEscaped(value, buf_);
  buf_.push_back('"');
  return *this;
}

Line& Line::Int(absl::string_view key, int64_t value) {
  if (!on_) return *this;
  Key(key);
  absl::StrAppend(&buf_, value);
  return *this;
}

Line& Line::Double(absl::string_view key, double value) {
  if (!on_) return *this;
  Key(key);
  if (std::isfinite(value)) {
    absl::StrAppend(&buf_, value);
  } else {
    buf_.append("null");  // JSON has no NaN or infinity
  }
  return *this;
}

Line& Line::Bool(absl::string_view key, bool value) {
  if (!on_) return *this;
  Key(key);
  buf_.append(value ? "true" : "false");
  return *this;
}

ScopedLogSink::ScopedLogSink(std::function<void(absl::string_view)> sink) {
  g_sink.store(new std::function<void(absl::string_view)>(std::move(sink)),
               std::memory_order_release);
}

ScopedLogSink::~ScopedLogSink() { delete g_sink.exchange(nullptr, std::memory_order_acq_rel); }

}  // namespace tokend::logging
