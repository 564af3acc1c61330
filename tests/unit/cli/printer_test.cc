#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "../control/fake_daemon_view.h"
#include "cli/command_table.h"
#include "cli/json_printer.h"
#include "cli/table.h"
#include "cli/text_printer.h"
#include "control/command_dispatcher.h"

namespace vipd::cli {
namespace {

using control::testing::FakeDaemonView;

// The reply to a command line from the fake daemon, at a fixed time, in UTC.
class PrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }

  std::pair<control::Request, std::vector<control::Reply>> reply(const std::string& line) {
    const auto parsed = table_.parse(line);
    EXPECT_TRUE(parsed) << line;
    control::CommandDispatcher dispatcher(view_, [] { return control::testing::fixedTime(300); });
    return {parsed->request, dispatcher.dispatch(parsed->request, {}, false)};
  }

  std::string text(const std::string& line) {
    const auto [request, frames] = reply(line);
    return TextPrinter::render(request, frames);
  }

  boost::json::object json(const std::string& line) {
    const auto [request, frames] = reply(line);
    return boost::json::parse(JsonPrinter::render(request, frames)).as_object();
  }

  // Compares with golden/NAME.txt; VIPD_UPDATE_GOLDEN=1 rewrites it instead.
  static void expectGolden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(VIPD_GOLDEN_DIR) + "/" + name + ".txt";
    if (std::getenv("VIPD_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << actual;
    }
    std::ifstream file(path);
    ASSERT_TRUE(file) << path;
    std::stringstream expected;
    expected << file.rdbuf();
    EXPECT_EQ(actual, expected.str()) << name;
  }

  CommandTable table_;
  FakeDaemonView view_;
};

struct GoldenVector {
  std::string line;
  std::string golden;
};

TEST_F(PrinterTest, TablesMatchTheirGoldens) {
  const std::vector<GoldenVector> vectors = {
      {"show status", "show_status"},
      {"show services", "show_services"},
      {"show services web", "show_services_web"},
      {"show servers", "show_servers"},
      {"show monitors web", "show_monitors_web"},
      {"show ipvs", "show_ipvs"},
      {"show ipvs stats", "show_ipvs_stats"},
      {"show protocols", "show_protocols"},
      {"show protocols all router1", "show_protocols_all"},
      {"show route", "show_route"},
      {"show services mail", "show_services_unknown"},
      {"configure check /bad.yaml", "configure_check_bad"},
      {"disable server web web1.example.org:80", "disable_server"},
  };
  for (const auto& vector : vectors) {
    expectGolden(vector.golden, text(vector.line));
  }
}

TEST_F(PrinterTest, TheBannerNamesTheDaemonAndItsVersion) {
  control::Hello hello;
  hello.set_daemon("vipd");
  hello.set_daemon_version("0.1.0");
  EXPECT_EQ(TextPrinter::banner(hello), "vipd 0.1.0 ready.");
  hello.set_read_only(true);
  EXPECT_EQ(TextPrinter::banner(hello), "vipd 0.1.0 ready. (read-only socket)");
}

TEST_F(PrinterTest, JsonHasTheCommandTheResultAndOneListPerKind) {
  const auto services = json("show servers web");
  EXPECT_EQ(services.at("command").as_string(), "show servers");
  EXPECT_EQ(services.at("result").at("code").as_string(), "RESULT_OK");
  const auto& list = services.at("services").as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& web = list[0].as_object();
  EXPECT_EQ(web.at("name").as_string(), "web");
  EXPECT_EQ(web.at("port").as_int64(), 80);
  EXPECT_TRUE(web.at("announced").is_bool());
  const auto& server = web.at("server_list").as_array()[0].as_object();
  EXPECT_EQ(server.at("host").as_string(), "web1.example.org");
  EXPECT_TRUE(server.at("monitors").is_array());
  EXPECT_EQ(server.at("monitors").as_array()[0].at("verdict").as_string(), "up");
}

TEST_F(PrinterTest, JsonListsArePresentWhenEmptyAndObjectsWhenSingle) {
  EXPECT_TRUE(json("show status").at("status").at("dry_run").as_bool());
  const auto ipvs = json("show ipvs");
  EXPECT_EQ(ipvs.at("ipvs").at("backend").as_string(), "dry-run");
  EXPECT_EQ(ipvs.at("ipvs_services").as_array().size(), 1u);
  EXPECT_EQ(json("show protocols").at("protocols").as_array().size(), 2u);
  EXPECT_EQ(json("show route").at("routes").as_array()[0].at("prefix").as_string(),
            "192.0.2.10/32");
  const auto missing = json("show services mail");
  EXPECT_EQ(missing.at("result").at("code").as_string(), "RESULT_NOT_FOUND");
  EXPECT_TRUE(missing.at("services").as_array().empty());
}

TEST_F(PrinterTest, JsonOfACommandCarriesItsMessage) {
  const auto drained = json("drain");
  EXPECT_EQ(drained.at("command").as_string(), "drain");
  EXPECT_EQ(drained.at("result").at("message").as_string(), "draining");
  const auto error = boost::json::parse(JsonPrinter::error("sh ser", "Ambiguous \"x\""));
  EXPECT_EQ(error.at("result").at("message").as_string(), "Ambiguous \"x\"");
}

TEST(TableRendering, AlignsColumnsTwoSpacesApartWithoutTrailingBlanks) {
  Table table({"Name", "State"});
  table.add({"router1", "up"});
  table.add({"r2", ""});
  EXPECT_EQ(table.render(), "Name     State\nrouter1  up\nr2\n");
}

TEST(TextPrinterTime, NeverForZeroAndDaysInDurations) {
  EXPECT_EQ(TextPrinter::time(0), "never");
  EXPECT_EQ(TextPrinter::duration(59), "0h 0m 59s");
  EXPECT_EQ(TextPrinter::duration(90061), "1d 1h 1m 1s");
}

}  // namespace
}  // namespace vipd::cli
