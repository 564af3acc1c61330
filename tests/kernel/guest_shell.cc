#include "guest_shell.h"

#include <sys/utsname.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace vipd::kernel_test {

namespace {

std::string fromEnvironment(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int exitStatus(int status) {
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ShellResult runShell(const std::string& command) {
  ShellResult result;
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  std::size_t size = 0;
  while ((size = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), size);
  }
  result.status = exitStatus(::pclose(pipe));
  return result;
}

int runShellWithInput(const std::string& command, const std::string& input) {
  std::FILE* pipe = ::popen(command.c_str(), "w");
  if (pipe == nullptr) {
    return -1;
  }
  std::fwrite(input.data(), 1, input.size(), pipe);
  return exitStatus(::pclose(pipe));
}

std::string ipvsadm() {
  return fromEnvironment("VIPD_IPVSADM", "ipvsadm");
}

std::string ip() {
  return fromEnvironment("VIPD_IP", "ip");
}

bool schedulerModuleExists(const std::string& name) {
  utsname system{};
  ::uname(&system);
  const std::filesystem::path directory =
      std::filesystem::path("/lib/modules") / system.release / "kernel/net/netfilter/ipvs";
  return std::filesystem::exists(directory / ("ip_vs_" + name + ".ko")) ||
         std::filesystem::exists(directory / ("ip_vs_" + name + ".ko.xz")) ||
         std::filesystem::exists(directory / ("ip_vs_" + name + ".ko.zst"));
}

bool insideVm() {
  return std::getenv("VIPD_IN_VM") != nullptr;
}

}  // namespace vipd::kernel_test
