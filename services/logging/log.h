// tokend's log: one JSON object per line on stderr, e.g.
//   {"level":"info","time":"2024-05-01T12:34:56.789Z","msg":"tokend serving","grpc":"127.0.0.1:50051"}
// "level", "time" (RFC 3339, UTC, milliseconds) and "msg" come first, then the
// fields in the order they were added. Strings are JSON-escaped (control
// characters, quotes, backslashes; invalid UTF-8 becomes U+FFFD), so no value
// can break a line or forge a field. Whole lines reach the file descriptor
// (never interleaved across threads): debug and info lines are gathered and
// written every 50 ms, warn and error lines at once.
//
//   logging::Info("purged expired rows").Int("rows", n).Str("job", "purge");
//
// The line is written when the temporary is destroyed (the end of the
// statement). Below the minimum level nothing is formatted.
//
// Never pass a token, code, client secret, password, Authorization header or
// cookie as a field.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace tokend::logging {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn" (or "warning"), "error"; nullopt for anything else.
std::optional<Level> LevelFromName(absl::string_view name);
absl::string_view LevelName(Level level);

// The process-wide minimum level (info until set).
void SetMinLevel(Level level);
bool Enabled(Level level);

class Line {
 public:
  Line(Level level, absl::string_view msg);
  ~Line();  // writes the line
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& Str(absl::string_view key, absl::string_view value);
  Line& Int(absl::string_view key, int64_t value);
  Line& Double(absl::string_view key, double value);
  Line& Bool(absl::string_view key, bool value);

 private:
  void Key(absl::string_view key);
  bool on_;
  bool write_through_;  // warn and error: written at once, not gathered
  std::string buf_;
};

inline Line Debug(absl::string_view msg) { return Line(Level::kDebug, msg); }
inline Line Info(absl::string_view msg) { return Line(Level::kInfo, msg); }
inline Line Warn(absl::string_view msg) { return Line(Level::kWarn, msg); }
inline Line Error(absl::string_view msg) { return Line(Level::kError, msg); }

// Sends every line (with its trailing newline) to `sink` instead of stderr
// while alive; for tests of code that logs. Not nestable.
class ScopedLogSink {
 public:
  explicit ScopedLogSink(std::function<void(absl::string_view)> sink);
  ~ScopedLogSink();
};

}  // namespace tokend::logging
