#include "services/metrics/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/testing/prometheus_text.h"

namespace tokend::metrics {
namespace {

using testing::PrometheusFormatErrors;
using testing::PrometheusSample;

TEST(MetricsTest, CountersAndHistogramsRenderInTheTextFormat) {
  Counter c;
  Histogram h({0.1, 1});
  Registry r;
  r.Add([&](Exposition& out) {
    out.Family("demo_total", "counter", "A demo counter.");
    out.Sample("demo_total", {{"path", "/a\"b\\c\nd"}}, c.Value());
    out.Family("demo_seconds", "histogram", "A demo histogram.");
    out.HistogramSamples("demo_seconds", {{"op", "x"}}, h);
  });
  c.Add(3);
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(7);
  std::string text = r.Render();
  EXPECT_TRUE(PrometheusFormatErrors(text).empty()) << text;
  EXPECT_EQ(PrometheusSample(text, R"(demo_total{path="/a\"b\\c\nd"})"), 3);
  EXPECT_EQ(PrometheusSample(text, R"(demo_seconds_bucket{op="x",le="0.1"})"), 1) << text;
  EXPECT_EQ(PrometheusSample(text, R"(demo_seconds_bucket{op="x",le="1"})"), 2);
  EXPECT_EQ(PrometheusSample(text, R"(demo_seconds_bucket{op="x",le="+Inf"})"), 3);
  EXPECT_EQ(PrometheusSample(text, R"(demo_seconds_count{op="x"})"), 3);
  EXPECT_DOUBLE_EQ(PrometheusSample(text, R"(demo_seconds_sum{op="x"})"), 7.55);
}

TEST(MetricsTest, TheValidatorCatchesBrokenText) {
  EXPECT_FALSE(PrometheusFormatErrors("x 1\n").empty()) << "sample without TYPE";
  EXPECT_FALSE(PrometheusFormatErrors("# TYPE x counter\nx{a=b} 1\n").empty()) << "unquoted label";
  EXPECT_FALSE(PrometheusFormatErrors("# TYPE x counter\nx 1").empty()) << "no final newline";
  EXPECT_FALSE(PrometheusFormatErrors("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n").empty());
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Counter c;
  Histogram h(LatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        c.Add();
        h.Observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 400000u);
  EXPECT_EQ(h.Read().count, 400000u);
}

TEST(MetricsTest, ProcessFiguresAreReal) {
  Exposition out;
  CollectProcess(out);
  EXPECT_GT(PrometheusSample(out.text(), "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(PrometheusSample(out.text(), "process_open_fds"), 3);
}

}  // namespace
}  // namespace tokend::metrics
