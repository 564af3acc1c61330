#include "monitor/run_command_probe.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <fstream>

#include "test_servers.h"

namespace vipd::monitor {
namespace {

using testing::runUntil;
using testing::watch;

config::MonitorConfig shellConfig(const std::string& script, std::vector<std::string> extra = {}) {
  config::RunCommandParams params;
  params.command = "/bin/sh";
  params.arguments = {"-c", script, "sh"};
  params.arguments.insert(params.arguments.end(), extra.begin(), extra.end());
  auto config = testing::testConfig(config::MonitorKind::RunCommand, params);
  config.timeout = std::chrono::seconds(10);
  config.interval = std::chrono::seconds(60);
  return config;
}

// True once this process has no child at all, zombies included (nothing is reaped here).
bool noChildren() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == -1 && errno == ECHILD;
}

int openPidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// True when the process is gone or exits within five seconds (a bound for a broken test only).
bool processEnds(pid_t pid) {
  const int fd = openPidfd(pid);
  if (fd < 0) {
    return errno == ESRCH;
  }
  pollfd entry{fd, POLLIN, 0};
  const bool ended = ::poll(&entry, 1, 5000) == 1;
  ::close(fd);
  return ended;
}

std::unique_ptr<testing::Watched> checkOnce(boost::asio::io_context& io,
                                            const config::MonitorConfig& config) {
  auto watched = watch(io, config, 8080);
  watched->monitor->start();
  EXPECT_TRUE(runUntil(io, [&] { return !watched->verdicts.empty(); }));
  return watched;
}

TEST(RunCommandProbe, ExitStatusDecides) {
  struct Case {
    std::string script;
    bool up;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"exit 0", true, "run-command: exit status 0"},
      {"exit 1", false, "run-command: exit status 1"},
      {"echo broken backend; echo more >&2; exit 3", false,
       "run-command: exit status 3, output \"broken backend\""},
      {"kill -TERM $$", false, "run-command: killed by signal 15"},
      {"read line; exit 0", true, "run-command: exit status 0"},  // stdin is /dev/null
  };
  for (const Case& c : cases) {
    boost::asio::io_context io;
    const auto watched = checkOnce(io, shellConfig(c.script));
    EXPECT_EQ(watched->verdict() == Verdict::Up, c.up) << c.script;
    EXPECT_EQ(watched->message(), c.message) << c.script;
    EXPECT_TRUE(runUntil(io, noChildren)) << c.script;
  }
}

TEST(RunCommandProbe, SubstitutesTheServer) {
  const auto argv = RunCommandProbe::commandLine(
      {"/usr/bin/check", {"--host={host}", "{address}:{port}", "{host}{host}", "plain"}, true},
      Target{"svc", "web1.example", *IpAddress::parse("2001:db8::1"), 443});
  EXPECT_EQ(argv,
            (std::vector<std::string>{"/usr/bin/check", "--host=web1.example", "2001:db8::1:443",
                                      "web1.exampleweb1.example", "plain"}));

  boost::asio::io_context io;
  const auto watched = checkOnce(
      io, shellConfig(R"(test "$1" = localhost && test "$2" = 127.0.0.1 && test "$3" = 8080)",
                      {"{host}", "{address}", "{port}"}));
  EXPECT_EQ(watched->verdict(), Verdict::Up) << watched->message();
}

TEST(RunCommandProbe, HangingCommandIsKilledWithItsChildren) {
  const std::string pid_file = ::testing::TempDir() + "/vipd-run-command-child.pid";
  std::remove(pid_file.c_str());
  boost::asio::io_context io;
  auto config = shellConfig("sleep 300 & echo $! > " + pid_file + "; wait");
  config.timeout = std::chrono::milliseconds(300);
  const auto watched = checkOnce(io, config);
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_EQ(watched->counters().timeouts, 1U);

  // The shell and its sleep both die, and the shell is reaped by the probe.
  EXPECT_TRUE(runUntil(io, noChildren));
  pid_t child = 0;
  std::ifstream(pid_file) >> child;
  ASSERT_GT(child, 0);
  EXPECT_TRUE(processEnds(child));
}

TEST(RunCommandProbe, MissingCommandIsDown) {
  boost::asio::io_context io;
  config::RunCommandParams params;
  params.command = "/nonexistent/vipd-check";
  const auto watched = checkOnce(io, testing::testConfig(config::MonitorKind::RunCommand, params));
  EXPECT_EQ(watched->verdict(), Verdict::Down);
  EXPECT_NE(watched->message().find("/nonexistent/vipd-check"), std::string::npos)
      << watched->message();
  EXPECT_TRUE(runUntil(io, noChildren));
}

TEST(RunCommandProbe, DestroyingAMonitorMidRunLeavesNoChild) {
  boost::asio::io_context io;
  auto watched = watch(io, shellConfig("sleep 300"), 8080);
  watched->monitor->start();
  io.run_for(std::chrono::milliseconds(20));
  watched.reset();
  EXPECT_TRUE(runUntil(io, noChildren));
}

TEST(RunCommandProbe, DestroyingTheLoopMidRunLeavesNoChild) {
  {
    boost::asio::io_context io;
    auto watched = watch(io, shellConfig("sleep 300"), 8080);
    watched->monitor->start();
    io.run_for(std::chrono::milliseconds(20));
    watched->monitor->stop();
  }
  EXPECT_TRUE(noChildren());
}

}  // namespace
}  // namespace vipd::monitor
