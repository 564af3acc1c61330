#include "ipvs/reconciler.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace vipd::ipvs {
namespace {

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

ServiceKey key(const char* address, std::uint16_t port, Protocol protocol = Protocol::Tcp) {
  const IpAddress parsed = ip(address);
  return {parsed.family(), protocol, parsed, port, 0};
}

ServiceKey fwmarkKey(std::uint32_t mark) {
  ServiceKey out;
  out.fwmark = mark;
  return out;
}

Destination dest(const char* address, std::uint32_t weight = 10) {
  Destination out;
  out.key = {ip(address), 80};
  out.weight = weight;
  return out;
}

// A service entry, built fluently: entry(k).with(dest(...)).
struct Entry {
  ServiceEntry value;

  Entry with(Destination d) const {
    Entry out = *this;
    out.value.destinations[d.key] = d;
    return out;
  }
  Entry edited(const std::function<void(Service&)>& edit) const {
    Entry out = *this;
    edit(out.value.service);
    return out;
  }
};

Entry entry(ServiceKey k, std::string scheduler = "wrr") {
  Entry out;
  out.value.service.key = k;
  out.value.service.scheduler = std::move(scheduler);
  out.value.service.netmask = fullNetmask(k.family);
  return out;
}

Table table(std::vector<Entry> entries) {
  Table out;
  for (auto& e : entries) {
    out.services[e.value.service.key] = e.value;
  }
  return out;
}

const ServiceKey kWeb = key("192.0.2.10", 80);
const ServiceKey kDns = key("192.0.2.53", 53, Protocol::Udp);
const ServiceKey kForeign = key("192.0.2.99", 443);
const ServiceKey kWeb6 = key("2001:db8::10", 443);

struct Case {
  std::string name;
  Table desired;
  Table current;
  std::set<ServiceKey> owned;
  std::vector<std::string> expected;
};

std::vector<Case> cases() {
  const Entry web = entry(kWeb).with(dest("198.51.100.1")).with(dest("198.51.100.2"));
  const Entry foreign = entry(kForeign, "rr").with(dest("198.51.100.9"));
  return {
      {"empty tables", {}, {}, {}, {}},

      {"identical tables are a no-op",
       table({web, entry(kDns).with(dest("198.51.100.3"))}),
       table({web, entry(kDns).with(dest("198.51.100.3"))}),
       {kWeb, kDns},
       {}},

      {"a dump that spells the same state differently is a no-op",
       table({entry(kWeb6).edited([](Service& s) { s.netmask = 0xffffffff; })}),
       table({entry(kWeb6).edited([](Service& s) {
         s.netmask = 128;
         s.flags |= kFlagHashed;
       })}),
       {},
       {}},

      {"a fwmark service dumped without its protocol is a no-op",
       table({entry([] {
                auto k = fwmarkKey(7);
                k.protocol = Protocol::Udp;
                return k;
              }())
                  .with(dest("198.51.100.1"))}),
       table({entry(fwmarkKey(7)).with(dest("198.51.100.1"))}),
       {},
       {}},

      {"a new service is added before its destinations",
       table({web}),
       {},
       {},
       {"-A -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10",
        "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 10"}},

      {"a weight change is edited in place",
       table({entry(kWeb).with(dest("198.51.100.1", 0)).with(dest("198.51.100.2"))}),
       table({web}),
       {},
       {"-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 0"}},

      {"thresholds are edited in place",
       table({entry(kWeb).with([] {
         auto d = dest("198.51.100.1");
         d.upper_threshold = 100;
         return d;
       }())}),
       table({entry(kWeb).with(dest("198.51.100.1"))}),
       {},
       {"-e -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10 -x 100"}},

      {"the forwarding method is edited in place",
       table({entry(kWeb).with([] {
         auto d = dest("198.51.100.1");
         d.forwarding = Forwarding::Tunnel;
         return d;
       }())}),
       table({entry(kWeb).with(dest("198.51.100.1"))}),
       {},
       {"-e -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 10 --tun-type ipip"}},

      {"the scheduler is edited in place",
       table({entry(kWeb, "wlc").with(dest("198.51.100.1"))}),
       table({entry(kWeb, "wrr").with(dest("198.51.100.1"))}),
       {},
       {"-E -t 192.0.2.10:80 -s wlc"}},

      {"persistence is edited in place",
       table({entry(kWeb).edited([](Service& s) {
         s.flags |= kFlagPersistent;
         s.persistence_timeout = 300;
       })}),
       table({entry(kWeb)}),
       {},
       {"-E -t 192.0.2.10:80 -s wrr -p 300"}},

      {"scheduler flags are edited in place",
       table({entry(kWeb, "sh").edited([](Service& s) { s.flags |= kFlagSched1; })}),
       table({entry(kWeb, "sh")}),
       {},
       {"-E -t 192.0.2.10:80 -s sh -b sh-fallback"}},

      {"destinations are added, then edited, then deleted",
       table({entry(kWeb, "wlc").with(dest("198.51.100.2", 5)).with(dest("198.51.100.3"))}),
       table({web}),
       {},
       {"-E -t 192.0.2.10:80 -s wlc", "-a -t 192.0.2.10:80 -r 198.51.100.3:80 -g -w 10",
        "-e -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 5",
        "-d -t 192.0.2.10:80 -r 198.51.100.1:80"}},

      {"a foreign service is left untouched", table({web}), table({web, foreign}), {kWeb}, {}},

      {"a foreign service is left untouched when nothing is desired", {}, table({foreign}), {}, {}},

      {"an undesired destination in a desired service is deleted",
       table({entry(kWeb).with(dest("198.51.100.1"))}),
       table({web}),
       {},
       {"-d -t 192.0.2.10:80 -r 198.51.100.2:80"}},

      {"an owned service that is no longer desired is deleted whole",
       table({entry(kDns)}),
       table({web, entry(kDns), foreign}),
       {kWeb, kDns},
       {"-D -t 192.0.2.10:80"}},

      {"an owned service that is not in the kernel is no operation", {}, {}, {kWeb}, {}},

      {"a service whose port changes is added new and deleted old",
       table({entry(key("192.0.2.10", 8080)).with(dest("198.51.100.1"))}),
       table({web}),
       {kWeb},
       {"-A -t 192.0.2.10:8080 -s wrr", "-a -t 192.0.2.10:8080 -r 198.51.100.1:80 -g -w 10",
        "-D -t 192.0.2.10:80"}},

      {"services are reconciled in key order",
       table({entry(kDns), entry(kWeb)}),
       {},
       {},
       {"-A -t 192.0.2.10:80 -s wrr", "-A -u 192.0.2.53:53 -s wrr"}},
  };
}

std::vector<std::string> lines(const std::vector<Operation>& operations) {
  std::vector<std::string> out;
  for (const auto& operation : operations) {
    out.push_back(toIpvsadm(operation));
  }
  return out;
}

TEST(Reconcile, GivesTheMinimalOrderedOperations) {
  for (const auto& c : cases()) {
    EXPECT_EQ(lines(reconcile(c.desired, c.current, c.owned)), c.expected) << c.name;
  }
}

TEST(Reconcile, AppliedOperationsReachTheDesiredTable) {
  for (const auto& c : cases()) {
    Table kernel = c.current;
    for (const auto& operation : reconcile(c.desired, c.current, c.owned)) {
      ASSERT_EQ(applyToTable(kernel, operation), 0) << c.name << ": " << toIpvsadm(operation);
    }
    EXPECT_TRUE(reconcile(c.desired, kernel, c.owned).empty()) << c.name;
    for (const auto& [k, e] : canonical(c.current).services) {
      const bool touched = c.desired.services.contains(k) || c.owned.contains(k);
      if (!touched) {
        EXPECT_EQ(canonical(kernel).services.at(k), e) << c.name << ": foreign service changed";
      }
    }
  }
}

std::set<ServiceKey> canonicalKeys(const std::set<ServiceKey>& keys) {
  std::set<ServiceKey> out;
  for (const auto& k : keys) {
    out.insert(canonical(k));
  }
  return out;
}

TEST(ReconcileScope, EverythingGivesWhatReconcileGives) {
  ReconcileScope all;
  all.all = true;
  for (const auto& c : cases()) {
    EXPECT_EQ(lines(reconcileScope(canonical(c.desired), canonical(c.current),
                                   canonicalKeys(c.owned), all)),
              c.expected)
        << c.name;
  }
}

TEST(ReconcileScope, EveryServiceNamedWholeGivesWhatReconcileGives) {
  for (const auto& c : cases()) {
    ReconcileScope scope;
    scope.services = canonicalKeys(c.owned);
    for (const auto& [k, e] : canonical(c.desired).services) {
      scope.services.insert(k);
    }
    EXPECT_EQ(lines(reconcileScope(canonical(c.desired), canonical(c.current),
                                   canonicalKeys(c.owned), scope)),
              c.expected)
        << c.name;
  }
}

TEST(ReconcileScope, ComparesOnlyTheNamedDestinations) {
  const auto web = key("192.0.2.10", 80);
  // Every destination differs; only those the scope names are looked at.
  const Table desired = table({entry(web)
                                   .with(dest("198.51.100.1", 20))
                                   .with(dest("198.51.100.2", 20))
                                   .with(dest("198.51.100.4"))});
  const Table current = table({entry(web)
                                   .with(dest("198.51.100.1"))
                                   .with(dest("198.51.100.2"))
                                   .with(dest("198.51.100.3"))});
  ReconcileScope scope;
  scope.destinations[web] = {dest("198.51.100.3").key, dest("198.51.100.2").key,
                             dest("198.51.100.4").key, dest("198.51.100.9").key};

  EXPECT_EQ(lines(reconcileScope(desired, current, {}, scope)),
            (std::vector<std::string>{"-a -t 192.0.2.10:80 -r 198.51.100.4:80 -g -w 10",
                                      "-e -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 20",
                                      "-d -t 192.0.2.10:80 -r 198.51.100.3:80"}));
}

TEST(ReconcileScope, AddsAMissingServiceWholeAndDeletesOnlyOwnedOnes) {
  const auto web = key("192.0.2.10", 80);
  const auto api = key("192.0.2.11", 80);
  const auto foreign = key("192.0.2.99", 80);
  const Table desired = table({entry(web).with(dest("198.51.100.1")).with(dest("198.51.100.2"))});
  const Table current =
      table({entry(api).with(dest("198.51.100.5")), entry(foreign).with(dest("198.51.100.9"))});
  ReconcileScope scope;
  scope.destinations[web] = {dest("198.51.100.2").key};
  scope.services = {api, foreign};

  EXPECT_EQ(lines(reconcileScope(desired, current, {api}, scope)),
            (std::vector<std::string>{
                "-A -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10",
                "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 10", "-D -t 192.0.2.11:80"}));
}

TEST(ReconcileScope, MergeUnitesTheScopes) {
  const auto web = key("192.0.2.10", 80);
  const auto api = key("192.0.2.11", 80);
  ReconcileScope first;
  first.destinations[web] = {dest("198.51.100.1").key};
  ReconcileScope second;
  second.services = {api};
  second.destinations[web] = {dest("198.51.100.2").key};

  first.merge(second);
  EXPECT_FALSE(first.all);
  EXPECT_EQ(first.services, std::set<ServiceKey>{api});
  EXPECT_EQ(first.destinations.at(web),
            (std::set<DestinationKey>{dest("198.51.100.1").key, dest("198.51.100.2").key}));
  EXPECT_TRUE(ReconcileScope{}.empty());
  EXPECT_FALSE(first.empty());
}

}  // namespace
}  // namespace vipd::ipvs
