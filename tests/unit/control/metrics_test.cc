#include "control/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "instrumentation_snapshots.h"

namespace vipd::control {
namespace {

using testing::FakeDaemonView;
using testing::instrumentationSnapshots;

bool hasLine(const std::string& exposition, const std::string& line) {
  std::istringstream lines(exposition);
  for (std::string each; std::getline(lines, each);) {
    if (each == line) {
      return true;
    }
  }
  return false;
}

TEST(MetricsExposition, CarriesVipdFamiliesWithTheirValues) {
  FakeDaemonView view{instrumentationSnapshots()};
  const auto text = MetricsExposition(view).render();
  const char* expected[] = {
      "# TYPE vipd_service_could_not_depool_total counter",
      R"(vipd_service_servers{service="text_80"} 3)",
      R"(vipd_service_servers_pooled_down{service="api_443"} 1)",
      R"(vipd_service_depool_threshold_ratio{service="api_443"} 0.9)",
      R"(vipd_service_could_not_depool_total{service="api_443"} 4)",
      R"(vipd_server_up{service="api_443",host="mw1002",port="80"} 0)",
      R"(vipd_monitor_results_total{service="api_443",host="mw1001",port="80",monitor="ProxyFetch",kind="http",result="down"} 2)",
      "# TYPE vipd_monitor_check_duration_seconds histogram",
      R"(vipd_monitor_check_duration_seconds_bucket{service="api_443",host="mw1001",port="80",monitor="ProxyFetch",kind="http",le="0.005"} 10)",
      R"(vipd_monitor_check_duration_seconds_bucket{service="api_443",host="mw1001",port="80",monitor="ProxyFetch",kind="http",le="+Inf"} 120)",
      R"(vipd_monitor_check_duration_seconds_sum{service="api_443",host="mw1001",port="80",monitor="ProxyFetch",kind="http"} 1.75)",
      R"(vipd_bgp_peer_state{peer="cr2-eqiad",address="2001:db8::fe",state="Active"} 1)",
      R"(vipd_bgp_peer_established{peer="cr1-eqiad",address="192.0.2.254"} 1)",
      R"(vipd_bgp_peer_updates_sent_total{peer="cr1-eqiad",address="192.0.2.254"} 2)",
      R"(vipd_vip_announced{vip="192.0.2.10"} 1)",
      R"(vipd_ipvs_operation_errors_total{backend="netlink"} 1)",
      R"(vipd_ipvs_service_bytes_total{ipvs_service="TCP  192.0.2.10:80",owned="true",direction="out"} 9000000)",
      R"(vipd_http_requests_total{code="404"} 1)",
      "vipd_loop_lag_seconds 0.0005",
      "# TYPE process_resident_memory_bytes gauge",
  };
  for (const auto* line : expected) {
    EXPECT_TRUE(hasLine(text, line)) << line;
  }
  // The daemon's figure of a family the exposition already has is left out, not repeated.
  EXPECT_FALSE(hasLine(text, "vipd_ipvs_operations_total 99"));
  EXPECT_EQ(view.calls().size(), 0u);
}

TEST(MetricsExposition, CarriesPybalNamesOnlyForAPybalConf) {
  FakeDaemonView view{instrumentationSnapshots()};
  const char* pybal[] = {
      R"(pybal_service_servers{service="text_80"} 3.0)",
      R"(pybal_service_pooled_down_servers{service="api_443"} 1.0)",
      R"(pybal_service_depool_threshold{service="api_443"} 0.9)",
      R"(pybal_service_could_not_depool_total{service="api_443"} 4.0)",
      R"(pybal_monitor_down_transitions_total{service="text_80",host="cp1001.eqiad.wmnet",monitor="IdleConnection"} 1.0)",
      "pybal_bgp_enabled 1.0",
      R"(pybal_bgp_session_established{local_asn="64600",peer="192.0.2.254"} 1.0)",
      R"(pybal_bgp_session_established{local_asn="64600",peer="2001:db8::fe"} 0.0)",
  };
  const auto with_pybal = MetricsExposition(view).render();
  for (const auto* line : pybal) {
    EXPECT_TRUE(hasLine(with_pybal, line)) << line;
  }

  view.data.status.config_format = "native";
  const auto native = MetricsExposition(view).render();
  EXPECT_EQ(native.find("pybal_"), std::string::npos);
}

TEST(MetricsExposition, EscapesLabelValues) {
  EXPECT_EQ(MetricsExposition::escapeLabelValue("plain"), "plain");
  EXPECT_EQ(MetricsExposition::escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");

  FakeDaemonView view{instrumentationSnapshots()};
  view.data.services[0].name = "we\"ird\nname";
  const auto text = MetricsExposition(view).render();
  EXPECT_TRUE(hasLine(text, R"(vipd_service_servers{service="we\"ird\nname"} 3)"));
}

TEST(MetricsExposition, FormatsValuesAsTheFormatSpellsThem) {
  const std::pair<double, const char*> vectors[] = {
      {0, "0"},
      {3, "3"},
      {-2, "-2"},
      {0.25, "0.25"},
      {1e20, "1e+20"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const auto& [value, text] : vectors) {
    EXPECT_EQ(MetricsExposition::formatValue(value), text);
  }
  EXPECT_EQ(MetricsExposition::formatPythonValue(1), "1.0");
  EXPECT_EQ(MetricsExposition::formatPythonValue(0.5), "0.5");
}

// Runs a command, returning its exit status and what it printed.
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  char chunk[512];
  while (pipe != nullptr && std::fgets(chunk, sizeof chunk, pipe) != nullptr) {
    output += chunk;
  }
  const int status = pipe == nullptr ? -1 : pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(MetricsExposition, PassesPromtoolCheckMetrics) {
  if (run("command -v promtool").first != 0) {
    GTEST_SKIP() << "SKIPPED LOUDLY: promtool is missing (Debian package prometheus)";
  }
  FakeDaemonView view{instrumentationSnapshots()};
  const auto file = std::filesystem::temp_directory_path() / "vipd_metrics_test.prom";
  std::ofstream(file) << MetricsExposition(view).render();

  const auto [status, output] = run("promtool check metrics < " + file.string());
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "") << output;
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace vipd::control
