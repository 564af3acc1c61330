// vipd's ipvsadm syntax (toIpvsadm, which the dry-run backend prints) against the real
// ipvsadm and kernel, inside the test VM: `ipvsadm -R` must accept it and build the table
// vipd meant, and `ipvsadm -Sn` must print the same lines for what netlink programmed.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "guest_shell.h"
#include "ipvs/operation.h"
#include "sync_backend.h"

namespace vipd::ipvs {
namespace {

using kernel_test::insideVm;
using kernel_test::ipvsadm;
using kernel_test::runShell;
using kernel_test::SyncBackend;

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}

Service service(Protocol protocol, const char* vip, std::uint16_t port, const char* scheduler) {
  Service out;
  out.key = {address(vip).family(), protocol, address(vip), port, 0};
  out.scheduler = scheduler;
  return out;
}

Destination server(const char* real, std::uint16_t port, Forwarding forwarding,
                   std::uint32_t weight) {
  Destination out;
  out.key = {address(real), port};
  out.forwarding = forwarding;
  out.weight = weight;
  return out;
}

// Services and destinations with every field ipvsadm can state; `thresholds` adds the
// upper and lower thresholds, which `ipvsadm -S` does not save.
std::vector<Operation> variedOperations(bool thresholds) {
  std::vector<Operation> operations;
  auto add = [&operations](const Service& s, std::vector<Destination> destinations) {
    operations.push_back({OperationKind::AddService, s, std::nullopt});
    for (const Destination& d : destinations) {
      operations.push_back({OperationKind::AddDestination, s, d});
    }
  };

  Service web = service(Protocol::Tcp, "192.0.2.10", 80, "wrr");
  web.flags = kFlagPersistent;
  web.persistence_timeout = 300;
  web.netmask = 0xffffff00;
  Destination limited = server("198.51.100.3", 8080, Forwarding::Masquerade, 30);
  if (thresholds) {
    limited.upper_threshold = 200;
    limited.lower_threshold = 20;
  }
  add(web, {server("198.51.100.1", 80, Forwarding::DirectRoute, 10),
            server("198.51.100.2", 80, Forwarding::DirectRoute, 0), limited});

  Service dns = service(Protocol::Udp, "2001:db8::53", 53, "sh");
  dns.flags = kFlagSched1 | kFlagSched2 | kFlagOnePacket;
  Destination gue = server("2001:db8:1::1", 53, Forwarding::Tunnel, 5);
  gue.tunnel_type = TunnelType::Gue;
  gue.tunnel_port = 6080;
  gue.tunnel_flags = kTunnelFlagCsum;
  Destination gre = server("2001:db8:1::2", 53, Forwarding::Tunnel, 6);
  gre.tunnel_type = TunnelType::Gre;
  gre.tunnel_flags = kTunnelFlagCsum;
  add(dns, {gue, gre, server("198.51.100.7", 53, Forwarding::Tunnel, 7)});

  Service diameter = service(Protocol::Sctp, "192.0.2.11", 3868, "mh");
  diameter.flags = kFlagSched2;
  add(diameter, {server("198.51.100.8", 3868, Forwarding::Masquerade, 1)});

  Service mark;
  mark.key = {IpAddress::Family::V4, Protocol::Tcp, IpAddress(), 0, 42};
  mark.scheduler = "lc";
  add(mark, {server("198.51.100.9", 0, Forwarding::DirectRoute, 2),
             server("198.51.100.10", 0, Forwarding::Tunnel, 3)});

  Service mark6;
  mark6.key = {IpAddress::Family::V6, Protocol::Tcp, IpAddress(), 0, 43};
  mark6.scheduler = "rr";
  mark6.flags = kFlagPersistent;
  mark6.persistence_timeout = 60;
  mark6.netmask = 64;
  add(mark6, {server("2001:db8:2::1", 0, Forwarding::DirectRoute, 1)});

  Service https6 = service(Protocol::Tcp, "2001:db8::443", 443, "wlc");
  add(https6, {server("2001:db8:3::1", 443, Forwarding::Masquerade, 100),
               server("2001:db8:3::2", 8443, Forwarding::Masquerade, 200)});
  return operations;
}

std::vector<std::string> sortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

class IpvsadmCompat : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!insideVm()) {
      GTEST_SKIP() << "needs the real IPVS: run through tests/kernel/vm-run";
    }
    auto opened = SyncBackend::open();
    ASSERT_TRUE(opened.has_value()) << opened.error();
    backend_ = std::move(*opened);
    ASSERT_TRUE(backend_->clear());
  }

  void TearDown() override {
    if (backend_) {
      EXPECT_TRUE(backend_->clear());
    }
  }

  std::unique_ptr<SyncBackend> backend_;
};

TEST_F(IpvsadmCompat, RestoreOfDryRunOutputBuildsTheTableVipdMeant) {
  std::vector<Operation> operations = variedOperations(true);
  // Edits and deletes too, as a reconciler would print them.
  Operation edit_service = operations.front();
  edit_service.kind = OperationKind::EditService;
  edit_service.service.scheduler = "lblc";
  edit_service.service.persistence_timeout = 600;
  Operation edit_weight = operations[1];
  edit_weight.kind = OperationKind::EditDestination;
  edit_weight.service = edit_service.service;
  edit_weight.destination->weight = 99;
  edit_weight.destination->forwarding = Forwarding::Tunnel;
  Operation delete_destination = operations[2];
  delete_destination.kind = OperationKind::DeleteDestination;
  Operation delete_service = operations.back();
  delete_service.kind = OperationKind::DeleteService;
  operations.insert(operations.end(),
                    {edit_service, edit_weight, delete_destination, delete_service});

  Table expected;
  std::string script;
  for (const Operation& operation : operations) {
    ASSERT_EQ(applyToTable(expected, operation), 0) << toIpvsadm(operation);
    script += toIpvsadm(operation) + "\n";
  }

  ASSERT_EQ(kernel_test::runShellWithInput(ipvsadm() + " -R", script), 0) << script;
  const auto dumped = backend_->dump();
  ASSERT_TRUE(dumped.has_value()) << dumped.error();
  EXPECT_EQ(canonical(*dumped), canonical(expected)) << script;
}

// The kernel takes remote checksum offload for GRE (netlink_backend_test programs it), but
// ipvsadm 1.31 refuses --tun-remcsum with GRE: such a line cannot be restored.
TEST_F(IpvsadmCompat, RestoreRefusesGreWithRemoteChecksum) {
  Service service = variedOperations(false).front().service;
  Destination gre = server("198.51.100.20", 80, Forwarding::Tunnel, 1);
  gre.tunnel_type = TunnelType::Gre;
  gre.tunnel_flags = kTunnelFlagRemoteCsum;
  const std::string script = toIpvsadm({OperationKind::AddService, service, std::nullopt}) + "\n" +
                             toIpvsadm({OperationKind::AddDestination, service, gre}) + "\n";
  EXPECT_NE(kernel_test::runShellWithInput(ipvsadm() + " -R 2>/dev/null", script), 0);
}

TEST_F(IpvsadmCompat, SaveListsWhatNetlinkProgrammedInVipdSyntax) {
  const std::vector<Operation> operations = variedOperations(false);
  std::string mine;
  for (const OperationResult& result : backend_->apply(operations)) {
    ASSERT_TRUE(result.ok()) << toIpvsadm(result.operation) << ": " << result.message;
    mine += toIpvsadm(result.operation) + "\n";
  }

  const kernel_test::ShellResult saved = runShell(ipvsadm() + " -S -n");
  ASSERT_EQ(saved.status, 0) << saved.output;
  EXPECT_EQ(sortedLines(saved.output), sortedLines(mine)) << "ipvsadm -S -n:\n" << saved.output;
}

TEST_F(IpvsadmCompat, ListShowsServiceFieldsProgrammedByNetlink) {
  const std::vector<Operation> operations = variedOperations(false);
  for (const OperationResult& result : backend_->apply(operations)) {
    ASSERT_TRUE(result.ok()) << toIpvsadm(result.operation) << ": " << result.message;
  }

  const std::string listing = runShell(ipvsadm() + " -Ln").output;
  for (const char* expected :
       {"TCP  192.0.2.10:80 wrr persistent 300 mask 255.255.255.0", "FWM  42 lc",
        "UDP  [2001:db8::53]:53 sh", "SCTP 192.0.2.11:3868 mh",
        "FWM  43 IPv6 rr persistent 60 mask 64", "TCP  [2001:db8::443]:443 wlc"}) {
    EXPECT_NE(listing.find(expected), std::string::npos) << expected << "\n" << listing;
  }
}

}  // namespace
}  // namespace vipd::ipvs
