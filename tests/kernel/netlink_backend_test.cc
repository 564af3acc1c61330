// NetlinkBackend against the real kernel's IPVS, inside the test VM (tests/kernel/vm-run):
// every operation and field, IPv4 and IPv6, fwmark services, each scheduler, each
// forwarding method and tunnel type, edits in place, statistics, global timeouts, partial
// failure of a batch and the kernel's errors, which the dry-run backend must predict.
#include "ipvs/netlink_backend.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>
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

Service tcpService(const char* vip, std::uint16_t port, const char* scheduler = "wrr") {
  Service service;
  service.key = {address(vip).family(), Protocol::Tcp, address(vip), port, 0};
  service.scheduler = scheduler;
  return service;
}

Service fwmarkService(IpAddress::Family family, std::uint32_t mark) {
  Service service;
  service.key = {family, Protocol::Tcp, IpAddress(), 0, mark};
  return service;
}

Destination destination(const char* real, std::uint16_t port, Forwarding forwarding,
                        std::uint32_t weight = 1) {
  Destination out;
  out.key = {address(real), port};
  out.forwarding = forwarding;
  out.weight = weight;
  return out;
}

Operation addService(const Service& service) {
  return {OperationKind::AddService, service, std::nullopt};
}

Operation addDestination(const Service& service, const Destination& destination) {
  return {OperationKind::AddDestination, service, destination};
}

// The operations that program `table` on an empty kernel table.
std::vector<Operation> operationsFor(const Table& table) {
  std::vector<Operation> operations;
  for (const auto& [key, entry] : table.services) {
    operations.push_back(addService(entry.service));
    for (const auto& [destination_key, destination] : entry.destinations) {
      operations.push_back(addDestination(entry.service, destination));
    }
  }
  return operations;
}

// A destination's line in `ipvsadm -Ln`, up to its weight.
std::string listingLine(const char* real, const char* forwarding, std::uint32_t weight) {
  std::array<char, 128> line{};
  std::snprintf(line.data(), line.size(), "  -> %-28s %-7s %u ", real, forwarding, weight);
  return line.data();
}

void insert(Table& table, const Service& service, std::vector<Destination> destinations = {}) {
  ServiceEntry& entry = table.services[service.key];
  entry.service = service;
  for (const Destination& destination : destinations) {
    entry.destinations[destination.key] = destination;
  }
}

class NetlinkBackendKernel : public ::testing::Test {
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

  void applyAll(std::vector<Operation> operations) {
    for (const OperationResult& result : backend_->apply(std::move(operations))) {
      EXPECT_TRUE(result.ok()) << toIpvsadm(result.operation) << ": " << result.message;
    }
  }

  Table dumpTable() {
    auto table = backend_->dump();
    EXPECT_TRUE(table.has_value()) << table.error();
    return table ? *table : Table{};
  }

  std::unique_ptr<SyncBackend> backend_;
};

TEST_F(NetlinkBackendKernel, StartupCheckReportsVersionAndTableSize) {
  const auto checked = NetlinkBackend::checkKernel();
  ASSERT_TRUE(checked.has_value()) << checked.error();
  EXPECT_EQ(checked->versionString(), "1.2.1");
  EXPECT_EQ(checked->connection_table_size, 4096u);  // Debian's CONFIG_IP_VS_TAB_BITS=12

  const auto info = backend_->info();
  ASSERT_TRUE(info.has_value()) << info.error();
  EXPECT_EQ(info->version, checked->version);
}

TEST_F(NetlinkBackendKernel, StartupCheckWithoutCapabilityAsksForCapNetAdmin) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Leaving root drops every capability.
    ::close(pipe_fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      ::_exit(2);
    }
    const auto checked = NetlinkBackend::checkKernel();
    const std::string text = checked ? "ok" : checked.error();
    ::write(pipe_fds[1], text.data(), text.size());
    ::_exit(0);
  }

  ::close(pipe_fds[1]);
  std::string text(256, '\0');
  const ssize_t size = ::read(pipe_fds[0], text.data(), text.size());
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  text.resize(size > 0 ? static_cast<std::size_t>(size) : 0);
  EXPECT_EQ(text, "vipd needs the CAP_NET_ADMIN capability");
}

TEST_F(NetlinkBackendKernel, ServicesOfEveryKindKeepEveryField) {
  Table table;
  Service persistent = tcpService("192.0.2.10", 80, "wrr");
  persistent.flags = kFlagPersistent;
  persistent.persistence_timeout = 300;
  persistent.netmask = 0xffffff00;
  insert(table, persistent);

  Service udp6 = tcpService("2001:db8::53", 53, "mh");
  udp6.key.protocol = Protocol::Udp;
  udp6.flags = kFlagSched1 | kFlagSched2;
  insert(table, udp6);

  Service sctp = tcpService("192.0.2.11", 3868, "rr");
  sctp.key.protocol = Protocol::Sctp;
  sctp.flags = kFlagOnePacket;
  insert(table, sctp);

  Service mark4 = fwmarkService(IpAddress::Family::V4, 7);
  mark4.scheduler = "sh";
  mark4.flags = kFlagSched2;
  insert(table, mark4);

  Service mark6 = fwmarkService(IpAddress::Family::V6, 8);
  mark6.flags = kFlagPersistent;
  mark6.persistence_timeout = 60;
  mark6.netmask = 64;
  insert(table, mark6);

  Service persistent6 = tcpService("2001:db8::80", 443, "lc");
  persistent6.flags = kFlagPersistent;
  persistent6.persistence_timeout = 1800;
  insert(table, persistent6);

  applyAll(operationsFor(table));
  EXPECT_EQ(canonical(dumpTable()), canonical(table));
}

TEST_F(NetlinkBackendKernel, DestinationsOfEveryForwardingMethodKeepEveryField) {
  Table table;
  Destination gue = destination("198.51.100.4", 80, Forwarding::Tunnel, 4);
  gue.tunnel_type = TunnelType::Gue;
  gue.tunnel_port = 6080;
  gue.tunnel_flags = kTunnelFlagCsum;
  Destination gre = destination("198.51.100.5", 80, Forwarding::Tunnel, 5);
  gre.tunnel_type = TunnelType::Gre;
  gre.tunnel_flags = kTunnelFlagRemoteCsum;
  Destination limited = destination("198.51.100.6", 8080, Forwarding::Masquerade, 6);
  limited.upper_threshold = 1000;
  limited.lower_threshold = 100;
  insert(table, tcpService("192.0.2.10", 80),
         {destination("198.51.100.1", 80, Forwarding::DirectRoute, 1),
          destination("198.51.100.2", 8080, Forwarding::Masquerade, 2),
          destination("198.51.100.3", 80, Forwarding::Tunnel, 3), gue, gre, limited});

  // IPv6, and an IPv4 server behind an IPv6 service, which only a tunnel can reach.
  insert(table, tcpService("2001:db8::10", 80),
         {destination("2001:db8:1::1", 80, Forwarding::DirectRoute, 0),
          destination("2001:db8:1::2", 8080, Forwarding::Masquerade, 7),
          destination("2001:db8:1::3", 80, Forwarding::Tunnel, 8),
          destination("198.51.100.9", 80, Forwarding::Tunnel, 9)});

  applyAll(operationsFor(table));
  EXPECT_EQ(canonical(dumpTable()), canonical(table));

  // ipvsadm reads the same table back over its own netlink code.
  const std::string listing = runShell(ipvsadm() + " -Ln").output;
  for (const std::string& expected :
       {listingLine("198.51.100.1:80", "Route", 1), listingLine("198.51.100.2:8080", "Masq", 2),
        listingLine("198.51.100.3:80", "Tunnel", 3), listingLine("198.51.100.6:8080", "Masq", 6),
        listingLine("[2001:db8:1::2]:8080", "Masq", 7),
        listingLine("198.51.100.9:80", "Tunnel", 9)}) {
    EXPECT_NE(listing.find(expected), std::string::npos) << expected << "\n" << listing;
  }
}

TEST_F(NetlinkBackendKernel, EachSchedulerTheKernelHasIsAccepted) {
  const std::vector<std::string> schedulers{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
                                            "sh", "sed", "nq", "mh",  "fo",   "ovf",   "twos"};
  std::vector<Operation> operations;
  std::uint16_t port = 1000;
  for (const std::string& scheduler : schedulers) {
    operations.push_back(addService(tcpService("192.0.2.20", port++, scheduler.c_str())));
  }

  const std::vector<OperationResult> results = backend_->apply(operations);
  ASSERT_EQ(results.size(), schedulers.size());
  std::size_t available = 0;
  for (std::size_t i = 0; i < schedulers.size(); ++i) {
    if (kernel_test::schedulerModuleExists(schedulers[i])) {
      ++available;
      EXPECT_TRUE(results[i].ok()) << schedulers[i] << ": " << results[i].message;
    } else {
      // A scheduler the kernel lacks: the module cannot be loaded.
      EXPECT_EQ(results[i].error, ENOENT) << schedulers[i];
      EXPECT_EQ(results[i].message, "No such file or directory") << schedulers[i];
    }
  }
  EXPECT_GE(available, 13u);

  const Table table = dumpTable();
  for (const OperationResult& result : results) {
    const auto found = table.services.find(result.operation.service.key);
    ASSERT_EQ(found != table.services.end(), result.ok()) << result.operation.service.scheduler;
    if (found != table.services.end()) {
      EXPECT_EQ(found->second.service.scheduler, result.operation.service.scheduler);
    }
  }
}

TEST_F(NetlinkBackendKernel, EditsChangeServicesAndWeightsInPlace) {
  Service service = tcpService("192.0.2.30", 80, "rr");
  Destination server = destination("198.51.100.1", 80, Forwarding::DirectRoute, 1);
  applyAll({addService(service), addDestination(service, server),
            addDestination(service, destination("198.51.100.2", 80, Forwarding::DirectRoute))});

  service.scheduler = "wrr";
  service.flags = kFlagPersistent;
  service.persistence_timeout = 120;
  server.weight = 50;
  server.upper_threshold = 500;
  server.lower_threshold = 5;
  server.forwarding = Forwarding::Masquerade;
  applyAll({{OperationKind::EditService, service, std::nullopt},
            {OperationKind::EditDestination, service, server}});

  // An edit of the service keeps its destinations: nothing was deleted and added again.
  const Table table = canonical(dumpTable());
  const auto& entry = table.services.at(service.key);
  EXPECT_EQ(entry.service, canonical(service));
  ASSERT_EQ(entry.destinations.size(), 2u);
  EXPECT_EQ(entry.destinations.at(server.key), canonical(server));
}

TEST_F(NetlinkBackendKernel, DeletesEmptyTheTable) {
  Service web = tcpService("192.0.2.40", 80);
  Service mark = fwmarkService(IpAddress::Family::V6, 9);
  Destination a = destination("198.51.100.1", 80, Forwarding::DirectRoute);
  Destination b = destination("2001:db8::1", 0, Forwarding::DirectRoute);
  applyAll({addService(web), addDestination(web, a), addService(mark), addDestination(mark, b)});

  applyAll({{OperationKind::DeleteDestination, web, a},
            {OperationKind::DeleteService, web, std::nullopt},
            {OperationKind::DeleteService, mark, std::nullopt}});
  EXPECT_TRUE(dumpTable().services.empty());
}

// The dry-run backend stands in for the kernel: its errors must be the kernel's.
TEST_F(NetlinkBackendKernel, PartialFailureReportsEachOperationAsTheDryRunPredicts) {
  const Service web = tcpService("192.0.2.50", 80);
  const Service missing = tcpService("192.0.2.51", 80);
  const Destination server = destination("198.51.100.1", 80, Forwarding::DirectRoute);
  Destination gue_without_port = destination("198.51.100.2", 80, Forwarding::Tunnel);
  gue_without_port.tunnel_type = TunnelType::Gue;
  Destination inverted = destination("198.51.100.3", 80, Forwarding::DirectRoute);
  inverted.upper_threshold = 5;
  inverted.lower_threshold = 10;
  const std::vector<Operation> operations{
      addService(web),
      addDestination(missing, server),  // ESRCH
      addDestination(web, server),
      addService(web),              // EEXIST
      addDestination(web, server),  // EEXIST
      {OperationKind::DeleteDestination, web,
       destination("198.51.100.9", 80, Forwarding::DirectRoute)},  // ENOENT
      {OperationKind::EditDestination, web,
       destination("198.51.100.9", 80, Forwarding::DirectRoute)},                    // ENOENT
      {OperationKind::DeleteService, missing, std::nullopt},                         // ESRCH
      {OperationKind::EditService, missing, std::nullopt},                           // ESRCH
      addService(tcpService("192.0.2.52", 80, "nosuch")),                            // ENOENT
      addDestination(web, gue_without_port),                                         // EINVAL
      addDestination(web, inverted),                                                 // ERANGE
      addDestination(web, destination("2001:db8::1", 80, Forwarding::DirectRoute)),  // EINVAL
      addDestination(web, destination("198.51.100.4", 80, Forwarding::Masquerade)),
  };

  Table predicted;
  std::vector<int> expected;
  for (const Operation& operation : operations) {
    expected.push_back(applyToTable(predicted, operation));
  }

  const std::vector<OperationResult> results = backend_->apply(operations);
  ASSERT_EQ(results.size(), operations.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].operation, operations[i]);
    EXPECT_EQ(results[i].error, expected[i])
        << toIpvsadm(operations[i]) << ": kernel says \"" << results[i].message << "\"";
    EXPECT_EQ(results[i].message, results[i].ok() ? "" : errorText(results[i].error));
  }
  EXPECT_EQ(results[1].message, "No such process");
  EXPECT_EQ(results[3].message, "File exists");
  EXPECT_EQ(results[5].message, "No such file or directory");
  EXPECT_EQ(canonical(dumpTable()), canonical(predicted));
}

TEST_F(NetlinkBackendKernel, MissingServiceIsNoSuchProcess) {
  const std::vector<OperationResult> results =
      backend_->apply({{OperationKind::DeleteService, tcpService("192.0.2.60", 80), std::nullopt}});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error, ESRCH);
  EXPECT_EQ(results[0].message, "No such process");
}

TEST_F(NetlinkBackendKernel, ResultsArriveFromTheIoContextNotFromApply) {
  bool called = false;
  backend_->backend().apply({addService(tcpService("192.0.2.70", 80))},
                            [&called](std::vector<OperationResult> results) {
                              called = true;
                              EXPECT_EQ(results.size(), 1u);
                            });
  EXPECT_FALSE(called);
  backend_->io().restart();
  while (!called && backend_->io().run_one() > 0) {
  }
  EXPECT_TRUE(called);
}

TEST_F(NetlinkBackendKernel, LargeBatchIsAppliedWithoutLosingAnswers) {
  Table table;
  // Five windows of requests in flight, and dumps of several datagrams.
  for (std::uint16_t s = 0; s < 8; ++s) {
    Service service = tcpService("192.0.2.80", static_cast<std::uint16_t>(1000 + s));
    std::vector<Destination> destinations;
    for (std::uint8_t d = 1; d <= 40; ++d) {
      const std::string real = "10.1." + std::to_string(s) + "." + std::to_string(d);
      destinations.push_back(destination(real.c_str(), 80, Forwarding::DirectRoute, d));
    }
    insert(table, service, destinations);
  }
  const std::vector<Operation> operations = operationsFor(table);
  ASSERT_EQ(operations.size(), 328u);

  applyAll(operations);
  EXPECT_EQ(canonical(dumpTable()), canonical(table));
}

TEST_F(NetlinkBackendKernel, TimeoutsAreSetAndRead) {
  ASSERT_TRUE(backend_->setTimeouts({900, 120, 300}).has_value());
  auto timeouts = backend_->timeouts();
  ASSERT_TRUE(timeouts.has_value()) << timeouts.error();
  EXPECT_EQ(*timeouts, (Timeouts{900, 120, 300}));
  EXPECT_NE(runShell(ipvsadm() + " -L --timeout").output.find("900 120 300"), std::string::npos);

  // 0 leaves a timeout as it is.
  ASSERT_TRUE(backend_->setTimeouts({0, 0, 60}).has_value());
  timeouts = backend_->timeouts();
  ASSERT_TRUE(timeouts.has_value()) << timeouts.error();
  EXPECT_EQ(*timeouts, (Timeouts{900, 120, 60}));
}

// What vipd does at start when the configuration names timeouts.
TEST_F(NetlinkBackendKernel, TimeoutsApplierReportsTheKernelsValuesAndItsRefusal) {
  ASSERT_TRUE(backend_->setTimeouts({900, 120, 300}).has_value());
  const auto applied = backend_->applyTimeouts({7200, 0, 60});
  ASSERT_TRUE(applied.has_value()) << applied.error();
  EXPECT_EQ(applied->before, (Timeouts{900, 120, 300}));
  EXPECT_EQ(applied->after, (Timeouts{7200, 120, 60}));

  // More seconds than the kernel's int of ticks holds: EINVAL, and nothing changes.
  const auto refused = backend_->applyTimeouts({4294967295U, 0, 0});
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().find("Invalid argument"), std::string::npos) << refused.error();
  EXPECT_EQ(backend_->timeouts(), (Timeouts{7200, 120, 60}));
  ASSERT_TRUE(backend_->setTimeouts({900, 120, 300}).has_value());
}

// A listening socket on 127.0.0.1 and a client that connects through a VIP on lo: IPVS
// schedules the local client's connection and NATs it to the listener.
class LocalTraffic {
 public:
  LocalTraffic() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    ::listen(listener_, 8);
    socklen_t length = sizeof local;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&local), &length);
    port_ = ntohs(local.sin_port);
  }
  ~LocalTraffic() { ::close(listener_); }
  LocalTraffic(const LocalTraffic&) = delete;
  LocalTraffic& operator=(const LocalTraffic&) = delete;

  std::uint16_t port() const { return port_; }

  // Connects to vip:port, sends `message`, and returns what the listener received.
  std::string exchange(const char* vip, std::uint16_t vip_port, const std::string& message) {
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(vip_port);
    ::inet_pton(AF_INET, vip, &target.sin_addr);
    if (::connect(client, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
      ::close(client);
      return "connect failed: " + errorText(errno);
    }
    ::send(client, message.data(), message.size(), 0);
    const int accepted = ::accept(listener_, nullptr, nullptr);
    std::string received(message.size(), '\0');
    const ssize_t size = ::recv(accepted, received.data(), received.size(), MSG_WAITALL);
    received.resize(size > 0 ? static_cast<std::size_t>(size) : 0);
    ::close(accepted);
    ::close(client);
    return received;
  }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(NetlinkBackendKernel, StatisticsCountTrafficThroughAService) {
  ASSERT_EQ(runShell(kernel_test::ip() + " addr add 10.10.10.10/32 dev lo").status, 0);
  LocalTraffic traffic;
  const Service service = tcpService("10.10.10.10", 80, "rr");
  const Destination server = destination("127.0.0.1", traffic.port(), Forwarding::Masquerade, 1);
  applyAll({addService(service), addDestination(service, server)});

  EXPECT_EQ(traffic.exchange("10.10.10.10", 80, "hello through ipvs"), "hello through ipvs");

  // The kernel folds its per-CPU counters into the totals about every 2 s.
  std::expected<StatisticsTable, std::string> statistics;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    statistics = backend_->statistics();
    ASSERT_TRUE(statistics.has_value()) << statistics.error();
  } while (statistics->services.at(service.key).counters.connections == 0 &&
           std::chrono::steady_clock::now() < deadline);

  const ServiceStatistics& counted = statistics->services.at(service.key);
  EXPECT_EQ(counted.counters.connections, 1u);
  EXPECT_GT(counted.counters.packets_in, 0u);
  EXPECT_GT(counted.counters.packets_out, 0u);
  EXPECT_GT(counted.counters.bytes_in, 18u);
  const DestinationStatistics& real = counted.destinations.at(server.key);
  EXPECT_EQ(real.counters.connections, 1u);
  EXPECT_EQ(real.counters.bytes_in, counted.counters.bytes_in);

  const std::string listing = runShell(ipvsadm() + " -Ln --stats").output;
  EXPECT_TRUE(std::regex_search(listing, std::regex("TCP  10\\.10\\.10\\.10:80 +1 "))) << listing;
  runShell(kernel_test::ip() + " addr del 10.10.10.10/32 dev lo");
}

TEST_F(NetlinkBackendKernel, StatisticsAreKeyedLikeTheTable) {
  Table table;
  insert(table, tcpService("192.0.2.90", 80),
         {destination("198.51.100.1", 80, Forwarding::DirectRoute),
          destination("198.51.100.2", 80, Forwarding::Masquerade)});
  insert(table, fwmarkService(IpAddress::Family::V4, 3),
         {destination("198.51.100.3", 0, Forwarding::Tunnel)});
  applyAll(operationsFor(table));

  const Table dumped = dumpTable();
  const auto statistics = backend_->statistics();
  ASSERT_TRUE(statistics.has_value()) << statistics.error();
  ASSERT_EQ(statistics->services.size(), dumped.services.size());
  for (const auto& [key, entry] : dumped.services) {
    const auto found = statistics->services.find(key);
    ASSERT_NE(found, statistics->services.end()) << key.toString();
    ASSERT_EQ(found->second.destinations.size(), entry.destinations.size());
    for (const auto& [destination_key, ignored] : entry.destinations) {
      EXPECT_TRUE(found->second.destinations.contains(destination_key));
    }
  }
}

}  // namespace
}  // namespace vipd::ipvs
