#include "control/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

// Lines the exposition must hold, one per line of a file in data/ (kept out of the source:
// most are longer than a source line may be).
std::vector<std::string> linesOf(const std::string& name) {
  std::ifstream file(std::filesystem::path(VIPD_CONTROL_TEST_DATA) / name);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  EXPECT_FALSE(lines.empty()) << "no expected lines in data/" << name;
  return lines;
}

TEST(MetricsExposition, CarriesVipdFamiliesWithTheirValues) {
  FakeDaemonView view{instrumentationSnapshots()};
  const auto text = MetricsExposition(view).render();
  const auto expected = linesOf("metrics_vipd_lines.txt");
  for (const auto& line : expected) {
    EXPECT_TRUE(hasLine(text, line)) << line;
  }
  // The daemon's figure of a family the exposition already has is left out, not repeated.
  EXPECT_FALSE(hasLine(text, "vipd_ipvs_operations_total 99"));
  EXPECT_EQ(view.calls().size(), 0u);
}

TEST(MetricsExposition, CarriesPybalNamesOnlyForAPybalConf) {
  FakeDaemonView view{instrumentationSnapshots()};
  const auto pybal = linesOf("metrics_pybal_lines.txt");
  const auto with_pybal = MetricsExposition(view).render();
  for (const auto& line : pybal) {
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
