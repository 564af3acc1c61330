// Shell commands for the kernel tests, which run inside the test VM (tests/kernel/vm-run):
// ipvsadm and iproute2's ip by the paths the harness gives (VIPD_IPVSADM, VIPD_IP).
#pragma once

#include <string>

namespace vipd::kernel_test {

struct ShellResult {
  int status = -1;     // the exit status, or -1 when the command did not exit
  std::string output;  // stdout and stderr together
};

ShellResult runShell(const std::string& command);
// Runs `command` with `input` on its standard input; its exit status.
int runShellWithInput(const std::string& command, const std::string& input);

// "ipvsadm" and "ip", as the harness names them, ready to be followed by arguments.
std::string ipvsadm();
std::string ip();

// Whether the kernel can load the scheduler module ip_vs_NAME.
bool schedulerModuleExists(const std::string& name);

// True inside the test VM (the harness sets VIPD_IN_VM).
bool insideVm();

}  // namespace vipd::kernel_test
