#include "vipd/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd {
namespace {

std::expected<Options, std::string> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "vipd");
  return parseOptions(args);
}

TEST(Options, NativeConfigWithDryRun) {
  const auto options = parse({"--config", "/etc/vipd/vipd.json", "--dry-run"});
  ASSERT_TRUE(options.has_value()) << options.error();
  EXPECT_EQ(options->config_file, "/etc/vipd/vipd.json");
  EXPECT_EQ(options->format, Options::Format::Native);
  EXPECT_TRUE(options->dry_run);
  EXPECT_FALSE(options->check_config);
}

TEST(Options, PybalConfigWithCheckConfigAndInlineValue) {
  const auto options = parse({"--check-config", "--pybal-config=/etc/pybal/pybal.conf"});
  ASSERT_TRUE(options.has_value()) << options.error();
  EXPECT_EQ(options->config_file, "/etc/pybal/pybal.conf");
  EXPECT_EQ(options->format, Options::Format::Pybal);
  EXPECT_TRUE(options->check_config);
}

TEST(Options, VersionAndHelpNeedNoConfig) {
  EXPECT_TRUE(parse({"--version"})->show_version);
  EXPECT_TRUE(parse({"--help"})->show_help);
}

TEST(Options, UsageErrorsAreReportedInWords) {
  struct Case {
    std::vector<const char*> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{}, "a configuration is needed: --config FILE or --pybal-config FILE"},
      {{"--config"}, "--config needs a value"},
      {{"--config", "a", "--pybal-config", "b"}, "give one of --config and --pybal-config, once"},
      {{"--config", "a", "--frobnicate"}, "unknown argument '--frobnicate'"},
      {{"--config", "a", "--dry-run=yes"}, "--dry-run takes no value"},
      {{"--config", "a", "--state-file="}, "--state-file needs a path"},
      {{"--config", "a", "--control-socket="}, "--control-socket needs a path"},
      {{"--config", "a", "--control-socket"}, "--control-socket needs a value"},
      {{"--config", "a", "--ipvs-redump-interval", "soon"},
       "--ipvs-redump-interval takes a whole number of seconds in 0..86400"},
      {{"--config", "a", "--ipvs-redump-interval=-1"},
       "--ipvs-redump-interval takes a whole number of seconds in 0..86400"},
      {{"--config", "a", "--ipvs-redump-interval=86401"},
       "--ipvs-redump-interval takes a whole number of seconds in 0..86400"},
  };
  for (const auto& test : cases) {
    const auto options = parse(test.args);
    ASSERT_FALSE(options.has_value());
    EXPECT_EQ(options.error(), test.error);
  }
}

TEST(Options, LogLevelOverride) {
  const auto options = parse({"--config", "x", "--log-level", "debug"});
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->log_level, "debug");
}

TEST(Options, StateFileAndRedumpIntervalUnsetWhenNotGiven) {
  const auto options = parse({"--config", "x"});
  ASSERT_TRUE(options.has_value());
  EXPECT_FALSE(options->state_file.has_value());
  EXPECT_FALSE(options->ipvs_redump_interval.has_value());
}

TEST(Options, ResolvingKeepsTheConfigurationWhereNothingWasGiven) {
  config::Global global;
  global.log_level = "warn";
  global.state_file = "/srv/vipd/owned.json";
  global.ipvs.redump_interval = std::chrono::seconds(15);
  const config::Global before = global;
  resolveAgainstConfig(*parse({"--config", "x"}), global);
  EXPECT_EQ(global, before);
}

TEST(Options, ResolvingLetsTheCommandLineWin) {
  config::Global global;
  global.state_file = "/srv/vipd/owned.json";
  global.ipvs.redump_interval = std::chrono::seconds(15);
  const auto options = parse({"--config", "x", "--state-file", "/tmp/s.json",
                              "--ipvs-redump-interval=0", "--log-level", "debug"});
  ASSERT_TRUE(options.has_value()) << options.error();
  resolveAgainstConfig(*options, global);
  EXPECT_EQ(global.state_file, "/tmp/s.json");
  EXPECT_EQ(global.ipvs.redump_interval, std::chrono::seconds(0));
  EXPECT_EQ(global.log_level, "debug");
}

TEST(Options, ControlSocketOverridesTheConfiguration) {
  config::Global global;
  global.control_socket = "/run/vipd/vipd.ctl";
  resolveAgainstConfig(*parse({"--config", "x"}), global);
  EXPECT_EQ(global.control_socket, "/run/vipd/vipd.ctl");
  resolveAgainstConfig(*parse({"--config", "x", "--control-socket", "/tmp/v.ctl"}), global);
  EXPECT_EQ(global.control_socket, "/tmp/v.ctl");
}

TEST(Options, StateFileAndRedumpIntervalGiven) {
  const auto options =
      parse({"--config", "x", "--state-file", "/tmp/s.json", "--ipvs-redump-interval=2"});
  ASSERT_TRUE(options.has_value()) << options.error();
  EXPECT_EQ(options->state_file, "/tmp/s.json");
  EXPECT_EQ(options->ipvs_redump_interval, std::chrono::seconds(2));
  EXPECT_EQ(parse({"--config", "x", "--ipvs-redump-interval", "0"})->ipvs_redump_interval,
            std::chrono::seconds(0));
}

TEST(Options, HelpNamesEveryOption) {
  const auto usage = usageText();
  for (const char* option :
       {"--state-file PATH", "--ipvs-redump-interval SECONDS", "--control-socket PATH"}) {
    EXPECT_NE(usage.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace vipd
