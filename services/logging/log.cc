#include "services/logging/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <cerrno>
#include <cmath>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "services/common/json_string.h"

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

void WriteAll(absl::string_view text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// Lines gathered in memory and written by a background thread every 50 ms
// (or at 64 KiB): one write(2) per access line cost about a fifth of the
// IssueToken rate on this project's VM, where every system call is dear.
// Warn and error lines go out at once, after what was gathered before them,
// so the order of lines holds. Exit flushes (atexit); a crash or SIGKILL can
// lose the last 50 ms of info lines, never a warning.
class GatheredStderr {
 public:
  static GatheredStderr& Get() {
    // Never destroyed: lines may still be written during static destruction.
    static auto* gathered = new GatheredStderr;
    return *gathered;
  }

  void Append(absl::string_view line, bool write_through) {
    {
      std::lock_guard lock(mu_);
      pending_.append(line.data(), line.size());
      if (!write_through && pending_.size() < kFlushAt) {
        if (!flusher_started_) StartFlusher();
        return;
      }
    }
    Flush();
  }

  void Flush() {
    std::lock_guard writing(write_mu_);  // swaps and writes in order
    std::string out;
    {
      std::lock_guard lock(mu_);
      out.swap(pending_);
    }
    if (!out.empty()) WriteAll(out);
  }

 private:
  static constexpr size_t kFlushAt = 64 * 1024;

  void StartFlusher() {  // under mu_
    flusher_started_ = true;
    std::thread([this] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        Flush();
      }
    }).detach();
    std::atexit([] { Get().Flush(); });
  }

  std::mutex mu_;        // pending_
  std::mutex write_mu_;  // the order of writes
  std::string pending_;
  bool flusher_started_ = false;
};

void Write(absl::string_view line, bool write_through) {
  if (auto* sink = g_sink.load(std::memory_order_acquire)) return (*sink)(line);
  GatheredStderr::Get().Append(line, write_through);
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


Line::Line(Level level, absl::string_view msg)
    : on_(Enabled(level)), write_through_(level >= Level::kWarn) {
  if (!on_) return;
  buf_.reserve(256);
  buf_.append("{\"level\":\"");
  buf_.append(LevelName(level).data(), LevelName(level).size());
  buf_.append("\",\"time\":\"");
  AppendTime(buf_);
  buf_.append("\",\"msg\":\"");
  json::AppendEscaped(msg, buf_);
  buf_.push_back('"');
}

Line::~Line() {
  if (!on_) return;
  buf_.append("}\n");
  Write(buf_, write_through_);
}

void Line::Key(absl::string_view key) {
  buf_.append(",\"");
  json::AppendEscaped(key, buf_);
  buf_.append("\":");
}

Line& Line::Str(absl::string_view key, absl::string_view value) {
  if (!on_) return *this;
  Key(key);
  buf_.push_back('"');
  json::AppendEscaped(value, buf_);
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
