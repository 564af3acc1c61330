#include "bgp/speaker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace vipd::bgp {
namespace {

using namespace std::chrono_literals;
using TimePoint = Speaker::TimePoint;

constexpr std::uint32_t kLocalAs = 64512;
const TimePoint kT0{};

IpAddress ip(std::string_view text) {
  return *IpAddress::parse(text);
}
Prefix prefix(std::string_view text) {
  return *Prefix::parse(text);
}

SpeakerSettings speakerSettings() {
  SpeakerSettings s;
  s.local_as = kLocalAs;
  s.hold_down = 10s;
  s.withdraw_delay = 0s;
  s.drain_time = 30s;
  PeerSettings r1;
  r1.name = "r1";
  r1.address = ip("192.0.2.1");
  PeerSettings r2;
  r2.name = "r2";
  r2.address = ip("192.0.2.2");
  s.peers = {r1, r2};
  return s;
}

VipPolicy vip(std::string name, std::vector<std::string> prefixes = {}) {
  VipPolicy policy;
  if (prefixes.empty()) {
    prefixes.push_back(name);
  }
  policy.name = std::move(name);
  for (const std::string& text : prefixes) {
    policy.prefixes.push_back(prefix(text));
  }
  return policy;
}

ServiceHealth service(std::string name, std::uint32_t servers, std::uint32_t up,
                      bool programmed = true) {
  return ServiceHealth{std::move(name), servers, up, programmed};
}

VipHealth healthy() {
  return VipHealth{{service("web", 3, 3)}};
}
VipHealth unhealthy() {
  return VipHealth{{service("web", 3, 0)}};
}

PeerSession external() {
  PeerSession session;
  session.local_ipv4 = ip("192.0.2.100");
  session.local_ipv6 = ip("2001:db8::100");
  session.ipv4_unicast = true;
  session.ipv6_unicast = true;
  return session;
}

PeerSession internal() {
  PeerSession session = external();
  session.internal = true;
  return session;
}

// Only the announcements (true) and withdrawals (false) of a list, as "peer prefix".
std::vector<std::string> summary(const std::vector<RouteChange>& changes) {
  std::vector<std::string> out;
  for (const RouteChange& change : changes) {
    out.push_back(std::string(change.announce ? "+" : "-") + change.peer + " " +
                  change.prefix.toString());
  }
  return out;
}

class SpeakerTest : public testing::Test {
 protected:
  // A started speaker with one healthy VIP and r1 up.
  void startWith(std::vector<VipPolicy> vips, SpeakerSettings s = speakerSettings()) {
    speaker_.emplace(std::move(s), std::move(vips), RouteAttributes{});
    for (const auto& [name, policy] : names_) {
      speaker_->setHealth(name, policy, kT0);
    }
    speaker_->peerUp("r1", external());
    speaker_->startupDone(kT0);
  }

  std::optional<Speaker> speaker_;
  std::map<std::string, VipHealth> names_;
};

// --- Start-up ---------------------------------------------------------------------------

TEST_F(SpeakerTest, NothingIsAnnouncedBeforeStartupIsDone) {
  Speaker speaker(speakerSettings(), {vip("198.18.0.1")});
  EXPECT_TRUE(speaker.setHealth("198.18.0.1", healthy(), kT0).empty());
  EXPECT_TRUE(speaker.peerUp("r1", external()).empty());
  EXPECT_TRUE(speaker.tick(kT0 + 100s).empty());

  const auto changes = speaker.startupDone(kT0 + 100s);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::StartupHealthy);
}

TEST_F(SpeakerTest, StartupAnnouncesOnlyTheHealthyVips) {
  Speaker speaker(speakerSettings(), {vip("198.18.0.1"), vip("198.18.0.2")});
  speaker.setHealth("198.18.0.1", healthy(), kT0);
  speaker.setHealth("198.18.0.2", unhealthy(), kT0);
  speaker.peerUp("r1", external());
  EXPECT_EQ(summary(speaker.startupDone(kT0)), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(speaker.vipState("198.18.0.2"), Speaker::VipState::Withdrawn);
}

TEST_F(SpeakerTest, VipWithoutHealthIsNotAnnounced) {
  Speaker speaker(speakerSettings(), {vip("198.18.0.1")});
  speaker.peerUp("r1", external());
  EXPECT_TRUE(speaker.startupDone(kT0).empty());
}

// --- Health -----------------------------------------------------------------------------

struct VerdictCase {
  std::string name;
  HealthRule rule;
  MinHealthy minimum;
  VipHealth health;
  bool healthy;
  std::string detail;
};

void PrintTo(const VerdictCase& c, std::ostream* os) {
  *os << c.name;
}

class VipVerdictTest : public testing::TestWithParam<VerdictCase> {};

TEST_P(VipVerdictTest, DecidesHealthAndSaysWhy) {
  const VerdictCase& c = GetParam();
  VipPolicy policy = vip("198.18.0.1");
  policy.rule = c.rule;
  policy.min_healthy = c.minimum;
  const VipVerdict verdict = evaluateVip(policy, c.health);
  EXPECT_EQ(verdict.healthy, c.healthy);
  EXPECT_EQ(verdict.detail, c.detail);
}

using Kind = MinHealthy::Kind;
INSTANTIATE_TEST_SUITE_P(
    Table, VipVerdictTest,
    testing::Values(
        VerdictCase{"OneUpIsEnoughByDefault",
                    HealthRule::EveryService,
                    {},
                    {{service("web", 3, 1)}},
                    true,
                    "healthy=1/1"},
        VerdictCase{"NoneUp",
                    HealthRule::EveryService,
                    {},
                    {{service("web", 3, 0)}},
                    false,
                    "service=web up=0 needed=1 short=1"},
        VerdictCase{"CountBelowMinimum",
                    HealthRule::EveryService,
                    {Kind::Count, 3},
                    {{service("web", 5, 2)}},
                    false,
                    "service=web up=2 needed=3 short=1"},
        VerdictCase{"PercentRoundsUp",
                    HealthRule::EveryService,
                    {Kind::Percent, 50},
                    {{service("web", 3, 1)}},
                    false,
                    "service=web up=1 needed=2 short=1"},
        VerdictCase{"PercentMet",
                    HealthRule::EveryService,
                    {Kind::Percent, 50},
                    {{service("web", 4, 2)}},
                    true,
                    "healthy=1/1"},
        VerdictCase{"PercentOfNothingStillNeedsOne",
                    HealthRule::EveryService,
                    {Kind::Percent, 50},
                    {{service("web", 0, 0)}},
                    false,
                    "service=web up=0 needed=1 short=1"},
        VerdictCase{"NotProgrammed",
                    HealthRule::EveryService,
                    {},
                    {{service("web", 3, 3, false)}},
                    false,
                    "service=web not-programmed"},
        VerdictCase{"EveryServiceOneDown",
                    HealthRule::EveryService,
                    {},
                    {{service("http", 2, 2), service("https", 2, 0)}},
                    false,
                    "service=https up=0 needed=1 short=1"},
        VerdictCase{"AnyServiceOneDown",
                    HealthRule::AnyService,
                    {},
                    {{service("http", 2, 2), service("https", 2, 0)}},
                    true,
                    "healthy=1/2"},
        VerdictCase{"AnyServiceAllDown",
                    HealthRule::AnyService,
                    {},
                    {{service("http", 2, 0), service("https", 2, 0, false)}},
                    false,
                    "service=http up=0 needed=1 short=1, service=https not-programmed"},
        VerdictCase{"NoServices", HealthRule::EveryService, {}, {}, false, "no service reported"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST_F(SpeakerTest, UnhealthyVipIsWithdrawnWithTheFailingService) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  const auto changes = speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 1s);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"-r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::Unhealthy);
  EXPECT_EQ(changes[0].detail, "service=web up=0 needed=1 short=1");
}

TEST_F(SpeakerTest, RecoveredVipWaitsTheHoldDown) {
  names_ = {{"198.18.0.1", unhealthy()}};
  startWith({vip("198.18.0.1")});
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", healthy(), kT0 + 5s).empty());
  EXPECT_EQ(speaker_->vipState("198.18.0.1"), Speaker::VipState::HoldDown);
  EXPECT_EQ(speaker_->nextDeadline(), kT0 + 15s);
  EXPECT_TRUE(speaker_->tick(kT0 + 14s).empty());

  const auto changes = speaker_->tick(kT0 + 15s);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::Recovered);
}

TEST_F(SpeakerTest, FlapDuringTheHoldDownCancelsTheAnnouncement) {
  names_ = {{"198.18.0.1", unhealthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setHealth("198.18.0.1", healthy(), kT0 + 5s);
  speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 8s);
  EXPECT_TRUE(speaker_->tick(kT0 + 20s).empty());
  EXPECT_EQ(speaker_->vipState("198.18.0.1"), Speaker::VipState::Withdrawn);
  EXPECT_FALSE(speaker_->nextDeadline());
}

TEST_F(SpeakerTest, WithdrawDelayWaitsBeforeWithdrawing) {
  SpeakerSettings s = speakerSettings();
  s.withdraw_delay = 3s;
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")}, s);
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 1s).empty());
  EXPECT_TRUE(speaker_->tick(kT0 + 3s).empty());
  EXPECT_EQ(summary(speaker_->tick(kT0 + 4s)), (std::vector<std::string>{"-r1 198.18.0.1/32"}));
}

TEST_F(SpeakerTest, RecoveryWithinTheWithdrawDelaySendsNothing) {
  SpeakerSettings s = speakerSettings();
  s.withdraw_delay = 3s;
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")}, s);
  speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 1s);
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", healthy(), kT0 + 2s).empty());
  EXPECT_TRUE(speaker_->tick(kT0 + 10s).empty());
  EXPECT_EQ(speaker_->vipState("198.18.0.1"), Speaker::VipState::Announced);
}

TEST_F(SpeakerTest, FwmarkVipAnnouncesEveryConfiguredPrefix) {
  names_ = {{"fwmark-42", healthy()}};
  startWith({vip("fwmark-42", {"198.18.1.0/24", "2001:db8:1::/48"})});
  speaker_->peerUp("r2", external());
  EXPECT_EQ(summary(speaker_->setHealth("fwmark-42", unhealthy(), kT0)),
            (std::vector<std::string>{"-r1 198.18.1.0/24", "-r1 2001:db8:1::/48",
                                      "-r2 198.18.1.0/24", "-r2 2001:db8:1::/48"}));
}

// --- Peers ------------------------------------------------------------------------------

TEST_F(SpeakerTest, PeerUpGetsTheWholeAnnouncedTable) {
  names_ = {{"198.18.0.1", healthy()}, {"2001:db8::1", healthy()}};
  startWith({vip("198.18.0.1"), vip("2001:db8::1")});
  const auto changes = speaker_->peerUp("r2", external());
  EXPECT_EQ(summary(changes),
            (std::vector<std::string>{"+r2 198.18.0.1/32", "+r2 2001:db8::1/128"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::PeerUp);
}

TEST_F(SpeakerTest, PeerDownThenUpIsSentEverythingAgain) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->peerDown("r1");
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", unhealthy(), kT0).empty());
  speaker_->setHealth("198.18.0.1", healthy(), kT0);
  speaker_->tick(kT0 + 10s);
  EXPECT_EQ(summary(speaker_->peerUp("r1", external())),
            (std::vector<std::string>{"+r1 198.18.0.1/32"}));
}

TEST_F(SpeakerTest, FamilyNotNegotiatedIsNotSent) {
  names_ = {{"198.18.0.1", healthy()}, {"2001:db8::1", healthy()}};
  startWith({vip("198.18.0.1"), vip("2001:db8::1")});
  PeerSession v4_only = external();
  v4_only.ipv6_unicast = false;
  EXPECT_EQ(summary(speaker_->peerUp("r2", v4_only)),
            (std::vector<std::string>{"+r2 198.18.0.1/32"}));
}

TEST_F(SpeakerTest, VipLimitedToSomePeersIsNotSentToOthers) {
  VipPolicy only_r2 = vip("198.18.0.1");
  only_r2.peers = {"r2"};
  names_ = {{"198.18.0.1", healthy()}};
  startWith({only_r2});
  EXPECT_TRUE(speaker_->table("r1").empty());
  EXPECT_EQ(summary(speaker_->peerUp("r2", external())),
            (std::vector<std::string>{"+r2 198.18.0.1/32"}));
}

TEST_F(SpeakerTest, VipNotToBeAnnouncedNeverIs) {
  VipPolicy silent = vip("198.18.0.1");
  silent.announce = false;
  names_ = {{"198.18.0.1", healthy()}};
  startWith({silent});
  EXPECT_TRUE(speaker_->table("r1").empty());
}

TEST_F(SpeakerTest, IpVipWithoutNextHopForTheFamilyIsSkipped) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  PeerSession v6_session = external();
  v6_session.local_ipv4.reset();
  EXPECT_TRUE(speaker_->peerUp("r2", v6_session).empty());
}

TEST_F(SpeakerTest, TableIsWhatThePeerWasSent) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  const auto table = speaker_->table("r1");
  ASSERT_EQ(table.size(), 1u);
  EXPECT_TRUE(table[0].announce);
  EXPECT_EQ(table[0].vip, "198.18.0.1");
}

// --- Attributes -------------------------------------------------------------------------

struct AttributeCase {
  std::string name;
  RouteAttributes global;
  RouteAttributes peer;
  RouteAttributes vip;
  bool internal;
  std::string prefix;
  // What the route must carry.
  std::vector<std::uint32_t> as_path;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  std::vector<Community> communities;
  std::vector<LargeCommunity> large;
  std::string next_hop;
};

void PrintTo(const AttributeCase& c, std::ostream* os) {
  *os << c.name;
}

class SpeakerAttributes : public testing::TestWithParam<AttributeCase> {};

TEST_P(SpeakerAttributes, RouteCarriesExactlyTheConfiguredAttributes) {
  const AttributeCase& c = GetParam();
  SpeakerSettings s = speakerSettings();
  s.peers[0].attributes = c.peer;
  VipPolicy policy = vip(c.prefix.substr(0, c.prefix.find('/')), {c.prefix});
  policy.attributes = c.vip;
  Speaker speaker(s, {policy}, c.global);
  speaker.setHealth(policy.name, healthy(), kT0);
  speaker.startupDone(kT0);

  const auto changes = speaker.peerUp("r1", c.internal ? internal() : external());
  ASSERT_EQ(changes.size(), 1u);
  const PathAttributes& a = *changes[0].attributes;
  EXPECT_EQ(a.origin, Origin::Igp);
  EXPECT_EQ(a.as_path, AsPath::sequence(c.as_path));
  EXPECT_EQ(a.multi_exit_disc, c.med);
  EXPECT_EQ(a.local_pref, c.local_pref);
  EXPECT_EQ(a.communities, c.communities);
  EXPECT_EQ(a.large_communities, c.large);
  if (prefix(c.prefix).isV4()) {
    ASSERT_TRUE(a.next_hop);
    EXPECT_EQ(a.next_hop->toString(), c.next_hop);
    EXPECT_FALSE(a.mp_reach);
  } else {
    ASSERT_TRUE(a.mp_reach);
    EXPECT_EQ(a.mp_reach->next_hop.toString(), c.next_hop);
    EXPECT_FALSE(a.next_hop);
  }
}

RouteAttributes withMed(std::uint32_t med) {
  RouteAttributes a;
  a.med = med;
  return a;
}

RouteAttributes withPath(std::vector<std::uint32_t> path, std::uint32_t prepends = 0) {
  RouteAttributes a;
  a.as_path = std::move(path);
  a.prepend_local_as = prepends;
  return a;
}

RouteAttributes withCommunities(std::vector<Community> communities,
                                std::vector<LargeCommunity> large = {}) {
  RouteAttributes a;
  a.communities = std::move(communities);
  a.large_communities = std::move(large);
  return a;
}

RouteAttributes withNextHops(std::string v4, std::string v6) {
  RouteAttributes a;
  a.next_hop_ipv4 = ip(v4);
  a.next_hop_ipv6 = ip(v6);
  return a;
}

RouteAttributes withLocalPref(std::uint32_t local_pref) {
  RouteAttributes a;
  a.local_pref = local_pref;
  return a;
}

const Community kC1 = Community::of(64512, 1);
const Community kC2 = Community::of(64512, 2);
const LargeCommunity kL1{4200000001, 1, 1};

INSTANTIATE_TEST_SUITE_P(Table, SpeakerAttributes,
                         testing::Values(AttributeCase{"ExternalDefaults",
                                                       {},
                                                       {},
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"ExternalIpv6UsesMpReach",
                                                       {},
                                                       {},
                                                       {},
                                                       false,
                                                       "2001:db8::1/128",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "2001:db8::100"},
                                         AttributeCase{"InternalDefaults",
                                                       {},
                                                       {},
                                                       {},
                                                       true,
                                                       "198.18.0.1/32",
                                                       {},
                                                       {},
                                                       100,
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"GlobalMed",
                                                       withMed(5),
                                                       {},
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       5,
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"PeerMedOverGlobal",
                                                       withMed(5),
                                                       withMed(7),
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       7,
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"VipMedOverPeer",
                                                       withMed(5),
                                                       withMed(7),
                                                       withMed(9),
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       9,
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"ConfiguredPathGetsLocalAsFirst",
                                                       withPath({64600, 64601}),
                                                       {},
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs, 64600, 64601},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"ConfiguredPathStartingWithLocalAs",
                                                       withPath({kLocalAs, 64600}),
                                                       {},
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs, 64600},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"PrependLocalAs",
                                                       {},
                                                       withPath({}, 2),
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs, kLocalAs, kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"InternalDropsLocalAsFromPath",
                                                       withPath({kLocalAs, 64600}),
                                                       {},
                                                       {},
                                                       true,
                                                       "198.18.0.1/32",
                                                       {64600},
                                                       {},
                                                       100,
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"InternalLocalPref",
                                                       {},
                                                       withLocalPref(200),
                                                       {},
                                                       true,
                                                       "198.18.0.1/32",
                                                       {},
                                                       {},
                                                       200,
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"ExternalNeverGetsLocalPref",
                                                       {},
                                                       withLocalPref(200),
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"CommunitiesJoined",
                                                       withCommunities({kC1}),
                                                       {},
                                                       withCommunities({kC2, kC1}),
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {kC1, kC2},
                                                       {},
                                                       "192.0.2.100"},
                                         AttributeCase{"LargeCommunities",
                                                       {},
                                                       withCommunities({}, {kL1}),
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {kL1},
                                                       "192.0.2.100"},
                                         AttributeCase{"ConfiguredNextHopIpv4",
                                                       withNextHops("198.51.100.1", "2001:db8::9"),
                                                       {},
                                                       {},
                                                       false,
                                                       "198.18.0.1/32",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "198.51.100.1"},
                                         AttributeCase{"ConfiguredNextHopIpv6",
                                                       {},
                                                       withNextHops("198.51.100.1", "2001:db8::9"),
                                                       {},
                                                       false,
                                                       "2001:db8::1/128",
                                                       {kLocalAs},
                                                       {},
                                                       {},
                                                       {},
                                                       {},
                                                       "2001:db8::9"}),
                         [](const auto& param_info) { return param_info.param.name; });

// --- Drain and stop ---------------------------------------------------------------------

TEST_F(SpeakerTest, DrainReannouncesWithGracefulShutdownThenWithdraws) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->peerUp("r2", internal());

  const auto drain = speaker_->drain(kT0 + 1s);
  ASSERT_EQ(summary(drain), (std::vector<std::string>{"+r1 198.18.0.1/32", "+r2 198.18.0.1/32"}));
  EXPECT_EQ(drain[0].reason, ChangeReason::Drain);
  EXPECT_EQ(drain[0].attributes->communities, std::vector<Community>{kGracefulShutdown});
  EXPECT_FALSE(drain[0].attributes->local_pref);
  EXPECT_EQ(drain[1].attributes->local_pref, 0u);

  EXPECT_EQ(speaker_->nextDeadline(), kT0 + 31s);
  EXPECT_TRUE(speaker_->tick(kT0 + 30s).empty());
  const auto drained = speaker_->tick(kT0 + 31s);
  EXPECT_EQ(summary(drained), (std::vector<std::string>{"-r1 198.18.0.1/32", "-r2 198.18.0.1/32"}));
  EXPECT_EQ(drained[0].reason, ChangeReason::Drained);
  EXPECT_EQ(speaker_->mode(), Speaker::Mode::Drained);
}

TEST_F(SpeakerTest, UndrainAnnouncesNormallyAgain) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->drain(kT0);
  speaker_->tick(kT0 + 30s);
  const auto changes = speaker_->undrain(kT0 + 40s);
  ASSERT_EQ(summary(changes), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::Undrain);
  EXPECT_TRUE(changes[0].attributes->communities.empty());
}

TEST_F(SpeakerTest, UndrainDuringTheDrainRestoresTheAttributes) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->drain(kT0);
  const auto changes = speaker_->undrain(kT0 + 5s);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].attributes->communities.empty());
  EXPECT_TRUE(speaker_->tick(kT0 + 60s).empty());
}

TEST_F(SpeakerTest, DrainedVipsStayWithdrawnWhateverTheirHealth) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->drain(kT0);
  speaker_->tick(kT0 + 30s);
  speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 31s);
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", healthy(), kT0 + 32s).empty());
  EXPECT_TRUE(speaker_->tick(kT0 + 60s).empty());
}

TEST_F(SpeakerTest, StopWithGracefulRestartWithdrawsNothing) {
  SpeakerSettings s = speakerSettings();
  s.graceful_restart.enabled = true;
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")}, s);
  EXPECT_TRUE(speaker_->stop(kT0).empty());
  EXPECT_TRUE(speaker_->stopComplete());
  EXPECT_TRUE(speaker_->closeSilently());
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", unhealthy(), kT0).empty());
}

TEST_F(SpeakerTest, StopWithdrawsEverything) {
  names_ = {{"198.18.0.1", healthy()}, {"198.18.0.2", healthy()}};
  startWith({vip("198.18.0.1"), vip("198.18.0.2")});
  const auto changes = speaker_->stop(kT0);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"-r1 198.18.0.1/32", "-r1 198.18.0.2/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::Stop);
  EXPECT_TRUE(speaker_->stopComplete());
  EXPECT_FALSE(speaker_->closeSilently());
}

TEST_F(SpeakerTest, StopDrainsFirstWhenAsked) {
  SpeakerSettings s = speakerSettings();
  s.drain_on_stop = true;
  s.drain_time = 5s;
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")}, s);
  const auto drain = speaker_->stop(kT0);
  ASSERT_EQ(drain.size(), 1u);
  EXPECT_EQ(drain[0].attributes->communities, std::vector<Community>{kGracefulShutdown});
  EXPECT_FALSE(speaker_->stopComplete());
  const auto withdrawn = speaker_->tick(kT0 + 5s);
  EXPECT_EQ(summary(withdrawn), (std::vector<std::string>{"-r1 198.18.0.1/32"}));
  EXPECT_EQ(withdrawn[0].reason, ChangeReason::Stop);
  EXPECT_TRUE(speaker_->stopComplete());
}

// --- Reload and counters ----------------------------------------------------------------

TEST_F(SpeakerTest, ReloadWithdrawsRemovedVipsAndReannouncesChangedOnes) {
  names_ = {{"198.18.0.1", healthy()}, {"198.18.0.2", healthy()}};
  startWith({vip("198.18.0.1"), vip("198.18.0.2")});
  VipPolicy changed = vip("198.18.0.1");
  changed.attributes.med = 50;
  const auto changes = speaker_->setVips({changed}, kT0 + 1s);
  ASSERT_EQ(summary(changes), (std::vector<std::string>{"-r1 198.18.0.2/32", "+r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::Removed);
  EXPECT_EQ(changes[1].reason, ChangeReason::Configured);
  EXPECT_EQ(changes[1].attributes->multi_exit_disc, 50u);
}

TEST_F(SpeakerTest, NewVipOnReloadWaitsForItsHealth) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  EXPECT_TRUE(speaker_->setVips({vip("198.18.0.1"), vip("198.18.0.3")}, kT0).empty());
  speaker_->setHealth("198.18.0.3", healthy(), kT0 + 1s);
  EXPECT_EQ(summary(speaker_->tick(kT0 + 11s)), (std::vector<std::string>{"+r1 198.18.0.3/32"}));
}

// More VIPs removed than the speaker looks up one by one: it compares whole tables instead,
// with the same result.
TEST_F(SpeakerTest, ReloadRemovingThousandsOfVipsWithdrawsThemFromEveryPeerInPrefixOrder) {
  std::vector<VipPolicy> vips;
  for (int k = 0; k < 1500; ++k) {
    const std::string name = "198.18." + std::to_string(k / 256) + "." + std::to_string(k % 256);
    names_[name] = healthy();
    vips.push_back(vip(name));
  }
  startWith(vips);
  ASSERT_EQ(speaker_->peerUp("r2", external()).size(), 1500u);

  // The first 100 stay, one of them with a new MED; the other 1,400 go.
  std::vector<VipPolicy> kept(vips.begin(), vips.begin() + 100);
  kept[7].attributes.med = 50;
  const auto changes = speaker_->setVips(kept, kT0 + 1s);

  ASSERT_EQ(changes.size(), 2u * 1401u);
  for (const std::string peer : {"r1", "r2"}) {
    std::vector<RouteChange> of_peer;
    std::ranges::copy_if(changes, std::back_inserter(of_peer),
                         [&](const RouteChange& change) { return change.peer == peer; });
    ASSERT_EQ(of_peer.size(), 1401u) << peer;
    // The withdrawals first, in prefix order, each naming its VIP; then the changed VIP.
    const auto withdrawals = std::span(of_peer).first(1400);
    EXPECT_TRUE(std::ranges::is_sorted(withdrawals, {}, &RouteChange::prefix)) << peer;
    for (const RouteChange& change : withdrawals) {
      EXPECT_FALSE(change.announce);
      EXPECT_EQ(change.reason, ChangeReason::Removed);
      EXPECT_EQ(change.vip, change.prefix.toString().substr(0, change.vip.size()));
    }
    EXPECT_EQ(withdrawals.front().vip, vips[100].name);
    const RouteChange& reannounced = of_peer.back();
    EXPECT_TRUE(reannounced.announce);
    EXPECT_EQ(reannounced.vip, vips[7].name);
    EXPECT_EQ(reannounced.reason, ChangeReason::Configured);
    EXPECT_EQ(speaker_->table(peer).size(), 100u) << peer;
  }
  speaker_->releaseRetired();
  EXPECT_EQ(speaker_->counters().changes(ChangeReason::Removed), 2800u);
  EXPECT_EQ(speaker_->vipState(vips[100].name), std::nullopt);
  EXPECT_EQ(speaker_->vipState(vips[99].name), Speaker::VipState::Announced);
}

// A prefix two VIPs list goes to the second when the first is removed, whichever way the
// reload is compared (one VIP, or thousands at once).
TEST_F(SpeakerTest, ReloadHandsASharedPrefixToTheVipLeft) {
  for (const int removed : {1, 1200}) {
    std::vector<VipPolicy> vips;
    for (int k = 0; k < removed; ++k) {
      const std::string name = "198.19." + std::to_string(k / 256) + "." + std::to_string(k % 256);
      names_[name] = healthy();
      vips.push_back(vip(name, {"203.0.113.1/32", name + "/32"}));
    }
    VipPolicy second = vip("zz-fwmark-7", {"203.0.113.1/32"});
    second.attributes.med = 70;
    vips.push_back(second);
    names_["zz-fwmark-7"] = healthy();
    startWith(vips);

    const auto changes = speaker_->setVips({second}, kT0 + 1s);
    const auto handed = std::ranges::find(changes, prefix("203.0.113.1/32"), &RouteChange::prefix);
    ASSERT_NE(handed, changes.end()) << removed;
    EXPECT_TRUE(handed->announce);
    EXPECT_EQ(handed->vip, "zz-fwmark-7");
    EXPECT_EQ(handed->attributes->multi_exit_disc, 70u);
    EXPECT_EQ(changes.size(), static_cast<std::size_t>(removed) + 1) << removed;
    EXPECT_EQ(speaker_->table("r1").size(), 1u);
    names_.clear();
  }
}

// A long decision hands its changes over in parts as it goes: in order, the first part
// first_part changes, each next one twice the last up to the cap, the call returning the
// rest. Together they are exactly what the same decision returns unstreamed.
TEST(SpeakerStream, LongDecisionsHandTheirChangesOverInGrowingParts) {
  std::vector<VipPolicy> vips;
  for (int k = 0; k < 1500; ++k) {
    vips.push_back(vip("198.18." + std::to_string(k / 256) + "." + std::to_string(k % 256)));
  }
  Speaker streaming(speakerSettings(), vips);
  Speaker whole(speakerSettings(), vips);
  std::vector<std::size_t> parts;
  std::vector<RouteChange> streamed;
  streaming.streamChanges(
      [&](std::vector<RouteChange>& part) {
        parts.push_back(part.size());
        std::ranges::move(part, std::back_inserter(streamed));
      },
      10);
  for (Speaker* speaker : {&streaming, &whole}) {
    for (const VipPolicy& policy : vips) {
      speaker->setHealth(policy.name, healthy(), kT0);
    }
    speaker->startupDone(kT0);
  }
  const auto expectStreamed = [&](std::vector<RouteChange> rest, std::vector<RouteChange> all) {
    std::ranges::move(rest, std::back_inserter(streamed));
    EXPECT_EQ(summary(streamed), summary(all));
    for (std::size_t i = 0; i < std::min(streamed.size(), all.size()); ++i) {
      EXPECT_EQ(streamed[i].vip, all[i].vip) << i;
      EXPECT_EQ(streamed[i].reason, all[i].reason) << i;
      ASSERT_EQ(streamed[i].attributes == nullptr, all[i].attributes == nullptr) << i;
      if (all[i].attributes != nullptr) {
        EXPECT_EQ(*streamed[i].attributes, *all[i].attributes) << i;
      }
    }
    streamed.clear();
  };

  // A peer coming up: 1,500 announcements.
  expectStreamed(streaming.peerUp("r1", external()), whole.peerUp("r1", external()));
  const std::vector<std::size_t> growing{10, 20, 40, 80, 160, 320, 320, 320};
  EXPECT_EQ(parts, growing);

  // A reload that removes 1,400 VIPs: the parts start small again.
  parts.clear();
  const std::vector<VipPolicy> kept(vips.begin(), vips.begin() + 100);
  expectStreamed(streaming.setVips(kept, kT0 + 1s), whole.setVips(kept, kT0 + 1s));
  EXPECT_EQ(parts, growing);

  // One VIP's change is not a long decision.
  parts.clear();
  EXPECT_EQ(streaming.setHealth(kept[0].name, unhealthy(), kT0 + 2s).size(), 1u);
  EXPECT_TRUE(parts.empty());
  EXPECT_EQ(streaming.counters().withdrawn, whole.counters().withdrawn + 1);
}

TEST_F(SpeakerTest, CountersCountEveryChangeByReason) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 1s);
  speaker_->setHealth("198.18.0.1", healthy(), kT0 + 2s);
  speaker_->tick(kT0 + 12s);
  const SpeakerCounters& counters = speaker_->counters();
  EXPECT_EQ(counters.announced, 2u);
  EXPECT_EQ(counters.withdrawn, 1u);
  EXPECT_EQ(counters.changes(ChangeReason::StartupHealthy), 1u);
  EXPECT_EQ(counters.changes(ChangeReason::Unhealthy), 1u);
  EXPECT_EQ(counters.changes(ChangeReason::Recovered), 1u);
}

// --- Operator holds ----------------------------------------------------------------------

TEST_F(SpeakerTest, HoldWithdrawsAHealthyVipFromEveryPeerAtOnce) {
  SpeakerSettings s = speakerSettings();
  s.withdraw_delay = 5s;
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")}, s);
  speaker_->peerUp("r2", external());

  const auto changes = speaker_->setOperatorHold("198.18.0.1", true, kT0 + 1s);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"-r1 198.18.0.1/32", "-r2 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::OperatorHold);
  EXPECT_EQ(changes[0].detail, "operator hold");
  EXPECT_TRUE(speaker_->operatorHold("198.18.0.1"));
  EXPECT_EQ(speaker_->counters().changes(ChangeReason::OperatorHold), 2u);
}

TEST_F(SpeakerTest, HeldVipStaysWithdrawnWhateverItsHealth) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setOperatorHold("198.18.0.1", true, kT0);
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 1s).empty());
  EXPECT_TRUE(speaker_->setHealth("198.18.0.1", healthy(), kT0 + 2s).empty());
  EXPECT_TRUE(speaker_->tick(kT0 + 60s).empty());
  EXPECT_TRUE(speaker_->peerUp("r2", external()).empty());
}

TEST_F(SpeakerTest, HoldTwiceOrOfAnUnknownVipChangesNothing) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  EXPECT_TRUE(speaker_->setOperatorHold("198.18.0.1", false, kT0).empty());
  EXPECT_TRUE(speaker_->setOperatorHold("198.18.0.9", true, kT0).empty());
  EXPECT_FALSE(speaker_->operatorHold("198.18.0.9"));
  speaker_->setOperatorHold("198.18.0.1", true, kT0);
  EXPECT_TRUE(speaker_->setOperatorHold("198.18.0.1", true, kT0).empty());
}

TEST_F(SpeakerTest, ReleaseOfAVipHealthyThroughoutAnnouncesItAtOnce) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setOperatorHold("198.18.0.1", true, kT0 + 1s);

  const auto changes = speaker_->setOperatorHold("198.18.0.1", false, kT0 + 2s);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::OperatorRelease);
  EXPECT_EQ(changes[0].detail, "healthy=1/1");
  EXPECT_FALSE(speaker_->operatorHold("198.18.0.1"));
}

TEST_F(SpeakerTest, ReleaseAfterARecoveryDuringTheHoldWaitsTheRestOfTheHoldDown) {
  names_ = {{"198.18.0.1", unhealthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setOperatorHold("198.18.0.1", true, kT0);
  speaker_->setHealth("198.18.0.1", healthy(), kT0 + 2s);

  EXPECT_TRUE(speaker_->setOperatorHold("198.18.0.1", false, kT0 + 5s).empty());
  EXPECT_EQ(speaker_->vipState("198.18.0.1"), Speaker::VipState::HoldDown);
  EXPECT_TRUE(speaker_->tick(kT0 + 11s).empty());
  const auto changes = speaker_->tick(kT0 + 12s);
  EXPECT_EQ(summary(changes), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].reason, ChangeReason::Recovered);
}

TEST_F(SpeakerTest, ReleaseOfAnUnhealthyVipKeepsItWithdrawn) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setOperatorHold("198.18.0.1", true, kT0);
  speaker_->setHealth("198.18.0.1", unhealthy(), kT0 + 1s);
  EXPECT_TRUE(speaker_->setOperatorHold("198.18.0.1", false, kT0 + 2s).empty());
  EXPECT_TRUE(speaker_->tick(kT0 + 60s).empty());
  EXPECT_EQ(speaker_->vipState("198.18.0.1"), Speaker::VipState::Withdrawn);
}

TEST_F(SpeakerTest, HeldVipIsLeftOutOfTheDrainAndReleasedIntoIt) {
  names_ = {{"198.18.0.1", healthy()}, {"198.18.0.2", healthy()}};
  startWith({vip("198.18.0.1"), vip("198.18.0.2")});
  speaker_->setOperatorHold("198.18.0.1", true, kT0);

  EXPECT_EQ(summary(speaker_->drain(kT0 + 1s)), (std::vector<std::string>{"+r1 198.18.0.2/32"}));
  const auto released = speaker_->setOperatorHold("198.18.0.1", false, kT0 + 2s);
  ASSERT_EQ(summary(released), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_EQ(released[0].attributes->communities, std::vector<Community>{kGracefulShutdown});

  speaker_->tick(kT0 + 31s);
  speaker_->setOperatorHold("198.18.0.2", true, kT0 + 32s);
  EXPECT_EQ(summary(speaker_->undrain(kT0 + 33s)), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
}

TEST_F(SpeakerTest, PeerEnabledDuringTheDrainGetsTheDrainingRoutesButNoHeldVip) {
  names_ = {{"198.18.0.1", healthy()}, {"198.18.0.2", healthy()}};
  startWith({vip("198.18.0.1"), vip("198.18.0.2")});
  speaker_->setOperatorHold("198.18.0.2", true, kT0);
  speaker_->drain(kT0 + 1s);

  const auto changes = speaker_->peerUp("r2", external());
  ASSERT_EQ(summary(changes), (std::vector<std::string>{"+r2 198.18.0.1/32"}));
  EXPECT_EQ(changes[0].attributes->communities, std::vector<Community>{kGracefulShutdown});
}

TEST_F(SpeakerTest, StopWithdrawsNothingMoreOfAHeldVip) {
  names_ = {{"198.18.0.1", healthy()}, {"198.18.0.2", healthy()}};
  startWith({vip("198.18.0.1"), vip("198.18.0.2")});
  speaker_->setOperatorHold("198.18.0.2", true, kT0);
  EXPECT_EQ(summary(speaker_->stop(kT0 + 1s)), (std::vector<std::string>{"-r1 198.18.0.1/32"}));
  EXPECT_TRUE(speaker_->setOperatorHold("198.18.0.2", false, kT0 + 2s).empty());
}

TEST_F(SpeakerTest, HoldSurvivesAReload) {
  names_ = {{"198.18.0.1", healthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setOperatorHold("198.18.0.1", true, kT0);
  VipPolicy changed = vip("198.18.0.1");
  changed.attributes.med = 50;
  EXPECT_TRUE(speaker_->setVips({changed}, kT0 + 1s).empty());
  EXPECT_TRUE(speaker_->operatorHold("198.18.0.1"));
}

TEST_F(SpeakerTest, VipIsFoundByItsNameOrItsPrefix) {
  names_ = {{"fwmark-42", healthy()}};
  startWith({vip("198.18.0.1"), vip("fwmark-42", {"198.18.1.0/24"})});
  EXPECT_EQ(speaker_->resolveVip("198.18.0.1"), "198.18.0.1");
  EXPECT_EQ(speaker_->resolveVip("198.18.0.1/32"), "198.18.0.1");
  EXPECT_EQ(speaker_->resolveVip("198.18.1.0/24"), "fwmark-42");
  EXPECT_EQ(speaker_->resolveVip("198.18.1.0"), std::nullopt);
  EXPECT_EQ(speaker_->resolveVip("nonsense"), std::nullopt);
}

// --- What `show route` shows ----------------------------------------------------------------

const std::chrono::system_clock::time_point kWall{std::chrono::hours(480000)};

const RouteStatus& rowFor(const std::vector<RouteStatus>& rows, std::string_view peer,
                          std::string_view prefix) {
  const auto it = std::ranges::find_if(
      rows, [&](const RouteStatus& row) { return row.peer == peer && row.prefix == prefix; });
  if (it == rows.end()) {
    static const RouteStatus kMissing{};
    ADD_FAILURE() << "no row for " << peer << " " << prefix;
    return kMissing;
  }
  return *it;
}

TEST_F(SpeakerTest, RoutesShowTheAttributesAsSentToEachPeer) {
  names_ = {{"198.18.0.1", healthy()}, {"2001:db8::1", healthy()}};
  SpeakerSettings s = speakerSettings();
  s.peers[0].attributes.prepend_local_as = 1;
  s.peers[0].attributes.med = 7;
  s.peers[0].attributes.communities = {Community::of(64512, 100)};
  s.peers[0].attributes.large_communities = {{4200000001, 1, 1}};
  startWith({vip("198.18.0.1"), vip("2001:db8::1")}, s);

  const auto rows = speaker_->routes(kT0 + 5s, kWall);
  ASSERT_EQ(rows.size(), 4u);
  const RouteStatus& v4 = rowFor(rows, "r1", "198.18.0.1/32");
  EXPECT_TRUE(v4.announced);
  EXPECT_EQ(v4.vip, "198.18.0.1");
  EXPECT_EQ(v4.state, "announced");
  EXPECT_EQ(v4.reason, "healthy=1/1");
  EXPECT_EQ(v4.since, kWall - 5s);
  EXPECT_EQ(v4.next_hop, ip("192.0.2.100"));
  EXPECT_EQ(v4.as_path, (std::vector<std::uint32_t>{kLocalAs, kLocalAs}));
  EXPECT_EQ(v4.med, 7u);
  EXPECT_FALSE(v4.local_pref);
  EXPECT_EQ(v4.communities, std::vector<Community>{Community::of(64512, 100)});
  EXPECT_EQ(v4.large_communities, (std::vector<LargeCommunity>{{4200000001, 1, 1}}));
  EXPECT_FALSE(v4.operator_hold);
  EXPECT_EQ(rowFor(rows, "r1", "2001:db8::1/128").next_hop, ip("2001:db8::100"));

  const RouteStatus& down = rowFor(rows, "r2", "198.18.0.1/32");
  EXPECT_FALSE(down.announced);
  EXPECT_EQ(down.state, "announced");
  EXPECT_EQ(down.reason, "session with r2 not established");
  EXPECT_FALSE(down.next_hop);
}

TEST_F(SpeakerTest, RoutesSayWhyAVipIsNotAnnounced) {
  names_ = {{"198.18.0.1", unhealthy()}, {"198.18.0.2", healthy()}};
  SpeakerSettings s = speakerSettings();
  s.peers.pop_back();
  startWith({vip("198.18.0.1"), vip("198.18.0.2")}, s);

  auto rows = speaker_->routes(kT0, kWall);
  EXPECT_EQ(rowFor(rows, "r1", "198.18.0.1/32").state, "withdrawn");
  EXPECT_EQ(rowFor(rows, "r1", "198.18.0.1/32").reason, "service=web up=0 needed=1 short=1");

  speaker_->setHealth("198.18.0.1", healthy(), kT0 + 1s);
  speaker_->setOperatorHold("198.18.0.2", true, kT0 + 2s);
  rows = speaker_->routes(kT0 + 4s, kWall);
  const RouteStatus& recovering = rowFor(rows, "r1", "198.18.0.1/32");
  EXPECT_EQ(recovering.state, "hold-down");
  EXPECT_EQ(recovering.reason, "healthy again (healthy=1/1), announced in 7 s");
  EXPECT_EQ(recovering.since, kWall - 3s);
  const RouteStatus& held = rowFor(rows, "r1", "198.18.0.2/32");
  EXPECT_FALSE(held.announced);
  EXPECT_TRUE(held.operator_hold);
  EXPECT_EQ(held.state, "withdrawn");
  EXPECT_EQ(held.reason, "operator hold (vipc announce vip releases it); health: healthy=1/1");
  EXPECT_EQ(held.since, kWall - 2s);
}

TEST_F(SpeakerTest, RoutesShowTheDrain) {
  names_ = {{"198.18.0.1", healthy()}};
  SpeakerSettings s = speakerSettings();
  s.peers.pop_back();
  startWith({vip("198.18.0.1")}, s);
  speaker_->drain(kT0 + 1s);

  auto rows = speaker_->routes(kT0 + 2s, kWall);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "draining");
  EXPECT_EQ(rows[0].reason, "GRACEFUL_SHUTDOWN sent, withdrawn in 29 s");
  EXPECT_EQ(rows[0].communities, std::vector<Community>{kGracefulShutdown});

  speaker_->tick(kT0 + 31s);
  rows = speaker_->routes(kT0 + 32s, kWall);
  EXPECT_EQ(rows[0].state, "withdrawn");
  EXPECT_EQ(rows[0].reason, "drained (vipc undrain announces it again)");
  EXPECT_EQ(rows[0].since, kWall - 1s);
}

// --- One VIP's change costs that VIP alone ----------------------------------------------

TEST_F(SpeakerTest, SharedPrefixPassesToTheNextVipWhenTheFirstFails) {
  names_ = {{"a", healthy()}, {"b", healthy()}};
  VipPolicy a = vip("a", {"198.18.0.9"});
  a.attributes.med = 1;
  VipPolicy b = vip("b", {"198.18.0.9"});
  b.attributes.med = 2;
  startWith({a, b});

  auto changes = speaker_->setHealth("a", unhealthy(), kT0 + 1s);
  ASSERT_EQ(summary(changes), (std::vector<std::string>{"+r1 198.18.0.9/32"}));
  EXPECT_EQ(changes[0].vip, "b");
  EXPECT_EQ(changes[0].attributes->multi_exit_disc, 2u);

  changes = speaker_->setHealth("b", unhealthy(), kT0 + 2s);
  ASSERT_EQ(summary(changes), (std::vector<std::string>{"-r1 198.18.0.9/32"}));
  EXPECT_EQ(changes[0].vip, "b");
}

TEST_F(SpeakerTest, HoldDownsOfSeveralVipsFireEachAtItsOwnDeadline) {
  names_ = {{"198.18.0.1", unhealthy()}, {"198.18.0.2", unhealthy()}};
  startWith({vip("198.18.0.1"), vip("198.18.0.2")});
  speaker_->setHealth("198.18.0.1", healthy(), kT0 + 5s);
  speaker_->setHealth("198.18.0.2", healthy(), kT0 + 3s);
  EXPECT_EQ(speaker_->nextDeadline(), kT0 + 13s);

  EXPECT_EQ(summary(speaker_->tick(kT0 + 13s)), (std::vector<std::string>{"+r1 198.18.0.2/32"}));
  EXPECT_EQ(speaker_->nextDeadline(), kT0 + 15s);
  EXPECT_EQ(summary(speaker_->tick(kT0 + 15s)), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
  EXPECT_FALSE(speaker_->nextDeadline());
}

TEST_F(SpeakerTest, ReloadKeepsAPendingHoldDown) {
  names_ = {{"198.18.0.1", unhealthy()}};
  startWith({vip("198.18.0.1")});
  speaker_->setHealth("198.18.0.1", healthy(), kT0 + 5s);
  speaker_->setVips({vip("198.18.0.1"), vip("198.18.0.3")}, kT0 + 6s);
  EXPECT_EQ(speaker_->nextDeadline(), kT0 + 15s);
  EXPECT_EQ(summary(speaker_->tick(kT0 + 15s)), (std::vector<std::string>{"+r1 198.18.0.1/32"}));
}

}  // namespace
}  // namespace vipd::bgp
