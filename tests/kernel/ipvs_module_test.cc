// The start-up check when the kernel has no IPVS at all, inside the test VM: ip_vs is
// unloaded and the kernel may not load modules, so the check must say what to do; once
// the kernel may load modules again, the check itself brings ip_vs back (the module's
// generic netlink alias). Its own program, run last in the boot, since it takes IPVS away.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <string>

#include "guest_shell.h"
#include "ipvs/netlink_backend.h"

namespace vipd::ipvs {
namespace {

using kernel_test::runShell;

constexpr const char* kModprobeSetting = "/proc/sys/kernel/modprobe";
constexpr const char* kUnloadIpvs =
    "for m in $(grep -o '^ip_vs_[a-z0-9_]*' /proc/modules); do rmmod $m || exit 1; done; "
    "rmmod ip_vs";

std::string readSetting() {
  std::ifstream in(kModprobeSetting);
  std::string value;
  std::getline(in, value);
  return value;
}

void writeSetting(const std::string& value) {
  std::ofstream(kModprobeSetting) << value << "\n";
}

TEST(StartupCheck, ReportsMissingIpvsAndLoadsTheModuleWhenAllowed) {
  if (!kernel_test::insideVm()) {
    GTEST_SKIP() << "unloads ip_vs: run through tests/kernel/vm-run";
  }
  const std::string modprobe = readSetting();
  ASSERT_FALSE(modprobe.empty());
  ASSERT_EQ(runShell(kernel_test::ipvsadm() + " -C").status, 0);
  const kernel_test::ShellResult unloaded = runShell(kUnloadIpvs);
  ASSERT_EQ(unloaded.status, 0) << unloaded.output;

  // An empty setting: the kernel loads no module.
  writeSetting("");
  const auto checked = NetlinkBackend::checkKernel();
  boost::asio::io_context io;
  const auto opened = NetlinkBackend::open(io);
  writeSetting(modprobe);

  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error(), "the kernel lacks IPVS: load ip_vs or run with --dry-run");
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error(), checked.error());

  const auto again = NetlinkBackend::checkKernel();
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ(again->versionString(), "1.2.1");
  EXPECT_EQ(runShell("grep -c '^ip_vs ' /proc/modules").output, "1\n");
}

}  // namespace
}  // namespace vipd::ipvs
