// Checks text against the Prometheus exposition format 0.0.4, and reads
// samples out of it, for the /metrics tests.
#pragma once

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace tokend::testing {

// Every way `text` breaks the format (empty: none): malformed lines, a
// sample before its family's TYPE line, a family declared twice, histogram
// buckets that are not cumulative or whose +Inf bucket differs from _count.
inline std::vector<std::string> PrometheusFormatErrors(const std::string& text) {
  static const std::regex kSample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]Inf|NaN)$)re");
  static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex kHelp(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  std::vector<std::string> errors;
  std::map<std::string, std::string> types;
  std::map<std::string, double> last_bucket;  // series without le → last cumulative value
  std::istringstream in(text);
  std::string line;
  if (!text.empty() && text.back() != '\n') errors.push_back("no final newline");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kType)) {
      if (!types.emplace(m[1].str(), m[2].str()).second) errors.push_back("family twice: " + line);
      continue;
    }
    if (std::regex_match(line, kHelp)) continue;
    if (!std::regex_match(line, m, kSample)) {
      errors.push_back("malformed: " + line);
      continue;
    }
    std::string name = m[1].str();
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (family.size() > s.size() && family.compare(family.size() - s.size(), s.size(), s) == 0 &&
          types.count(family.substr(0, family.size() - s.size())) &&
          types[family.substr(0, family.size() - s.size())] == "histogram") {
        family = family.substr(0, family.size() - s.size());
      }
    }
    if (!types.count(family)) errors.push_back("sample before its TYPE: " + line);
    std::string labels = m[2].str();
    double value = std::stod(m[7].str() == "+Inf" ? "inf" : m[7].str());
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_bucket") == 0) {
      std::string key = name + std::regex_replace(labels, std::regex(R"(,?le="[^"]*")"), "");
      if (last_bucket.count(key) && value < last_bucket[key]) errors.push_back("not cumulative: " + line);
      last_bucket[key] = value;
    }
    if (name.size() > 6 && name.compare(name.size() - 6, 6, "_count") == 0) {
      std::string base = name.substr(0, name.size() - 6) + "_bucket" + labels;
      if (last_bucket.count(base) && last_bucket[base] != value) {
        errors.push_back("+Inf bucket differs from _count: " + line);
      }
    }
  }
  return errors;
}

// The value of the sample whose name-and-labels text is exactly `series`
// (e.g. `tokend_tokens_revoked_total` or `x{a="b"}`); -1 when absent.
inline double PrometheusSample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

}  // namespace tokend::testing
