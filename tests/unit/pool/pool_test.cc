#include "pool/pool.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace vipd::pool {

void PrintTo(const Decision& decision, std::ostream* out) {
  *out << decision.server.toString() << (decision.pooled ? " pooled" : " depooled") << " w"
       << decision.weight << " " << reasonName(decision.reason);
}

namespace {

using R = Reason;

ServerId id(const std::string& host) {
  return {host, 80};
}

ServerSpec spec(const std::string& host, bool enabled = true, std::uint32_t weight = 10) {
  return {id(host), weight, enabled};
}

Decision pooled(const std::string& host, Reason reason, std::uint32_t weight = 10) {
  return {id(host), true, weight, reason};
}

Decision depooled(const std::string& host, Reason reason, std::uint32_t weight = 10) {
  return {id(host), false, weight, reason};
}

// One call into the pool and the decisions it must return, in order.
struct Step {
  std::string what;
  std::function<std::vector<Decision>(Pool&)> call;
  std::vector<Decision> expected;
};

Step list(std::vector<ServerSpec> servers, std::vector<Decision> expected) {
  std::string what = "list";
  for (const auto& s : servers) {
    what += " " + s.id.host + (s.enabled ? "" : "(disabled)");
  }
  return {what, [servers](Pool& pool) { return pool.setServers(servers); }, std::move(expected)};
}

Step health(const std::string& host, Health verdict, std::vector<Decision> expected) {
  return {host + " " + std::string(healthName(verdict)),
          [host, verdict](Pool& pool) { return pool.setHealth(id(host), verdict); },
          std::move(expected)};
}

Step up(const std::string& host, std::vector<Decision> expected = {}) {
  return health(host, Health::Up, std::move(expected));
}

Step down(const std::string& host, std::vector<Decision> expected = {}) {
  return health(host, Health::Down, std::move(expected));
}

Step endStartup(std::vector<Decision> expected) {
  return {"end startup", [](Pool& pool) { return pool.endStartup(); }, std::move(expected)};
}

// Four enabled servers a..d, all up: start-up over, all pooled.
std::vector<Step> fourUp() {
  return {list({spec("a"), spec("b"), spec("c"), spec("d")}, {}), up("a"), up("b"), up("c"),
          up("d", {pooled("a", R::StartupUp), pooled("b", R::StartupUp), pooled("c", R::StartupUp),
                   pooled("d", R::StartupUp)})};
}

std::vector<Step> concat(std::vector<Step> first, const std::vector<Step>& then) {
  first.insert(first.end(), then.begin(), then.end());
  return first;
}

struct Scenario {
  std::string name;
  double threshold;
  std::vector<Step> steps;
  std::size_t pooled_at_end;
  std::uint64_t could_not_depool;
};

std::vector<Scenario> scenarios() {
  return {
      {"startup waits for every verdict",
       0.5,
       {list({spec("a"), spec("b"), spec("c"), spec("d")}, {}), up("a"), up("b"), down("c"),
        up("d", {pooled("a", R::StartupUp), pooled("b", R::StartupUp), pooled("d", R::StartupUp),
                 depooled("c", R::StartupDown)})},
       3,
       0},

      {"startup keeps the down servers the threshold needs",
       0.5,
       {list({spec("a"), spec("b"), spec("c"), spec("d")}, {}), up("a"), down("b"), down("c"),
        down("d", {pooled("a", R::StartupUp), pooled("b", R::ThresholdKeeps),
                   depooled("c", R::StartupDown), depooled("d", R::StartupDown)})},
       2,
       1},

      {"end of start-up counts unknown as down",
       0.5,
       {list({spec("a"), spec("b"), spec("c"), spec("d")}, {}), up("a"),
        endStartup({pooled("a", R::StartupUp), pooled("b", R::ThresholdKeeps),
                    depooled("c", R::StartupDown), depooled("d", R::StartupDown)}),
        endStartup({})},
       2,
       1},

      {"end of start-up on an empty list decides nothing", 0.5, {endStartup({})}, 0, 0},

      {"start-up does not wait for disabled servers",
       0.5,
       {list({spec("a"), spec("b"), spec("c", false)}, {}), up("a"),
        down("b", {pooled("a", R::StartupUp), pooled("b", R::ThresholdKeeps),
                   depooled("c", R::Disabled)})},
       2,
       1},

      {"a list change while starting decides nothing",
       0.5,
       {list({spec("a"), spec("b")}, {}), up("a"), list({spec("a", true, 20), spec("b")}, {}),
        up("b", {pooled("a", R::StartupUp, 20), pooled("b", R::StartupUp)})},
       2,
       0},

      {"failures depooled while the threshold allows, then kept", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               down("c", {pooled("c", R::ThresholdKeeps)}),
               down("d", {pooled("d", R::ThresholdKeeps)})}),
       2, 2},

      {"a recovery repools, then depools one pooled-but-down server", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               down("c", {pooled("c", R::ThresholdKeeps)}),
               down("d", {pooled("d", R::ThresholdKeeps)}),
               up("a", {pooled("a", R::ServerUp), depooled("d", R::ThresholdAllows)}),
               up("b", {pooled("b", R::ServerUp), depooled("c", R::ThresholdAllows)})}),
       2, 2},

      {"a pooled-but-down server that recovers stays pooled", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               down("c", {pooled("c", R::ThresholdKeeps)}), up("c", {pooled("c", R::ServerUp)})}),
       2, 1},

      {"disabled servers count in the total",
       0.5,
       {list({spec("a"), spec("b"), spec("c", false), spec("d", false)}, {}), up("a"),
        up("b", {pooled("a", R::StartupUp), pooled("b", R::StartupUp), depooled("c", R::Disabled),
                 depooled("d", R::Disabled)}),
        down("a", {pooled("a", R::ThresholdKeeps)})},
       2,
       1},

      {"the list shrinking below the threshold restores a down server", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               list({spec("a"), spec("b"), spec("d")},
                    {pooled("a", R::ThresholdRestores), depooled("c", R::Removed)})}),
       2, 0},

      {"the list growing restores down servers, the verdict depools them again", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               list({spec("a"), spec("b"), spec("c"), spec("d"), spec("e"), spec("f")},
                    {pooled("a", R::ThresholdRestores), depooled("e", R::Added),
                     depooled("f", R::Added)}),
               up("e", {pooled("e", R::ServerUp), depooled("a", R::ThresholdAllows)})}),
       3, 0},

      {"disabling an up server restores a down one", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               list({spec("a"), spec("b"), spec("c", false), spec("d")},
                    {pooled("a", R::ThresholdRestores), depooled("c", R::Disabled)})}),
       2, 0},

      {"a disabled server is re-enabled and pooled",
       0.5,
       {list({spec("a"), spec("b")}, {}), up("a"),
        up("b", {pooled("a", R::StartupUp), pooled("b", R::StartupUp)}),
        list({spec("a"), spec("b", false)}, {depooled("b", R::Disabled)}),
        down("a", {pooled("a", R::ThresholdKeeps)}),
        list({spec("a"), spec("b")}, {pooled("b", R::Enabled), depooled("a", R::ThresholdAllows)}),
        list({spec("a"), spec("b", false)},
             {pooled("a", R::ThresholdRestores), depooled("b", R::Disabled)}),
        list({spec("a"), spec("b")}, {pooled("b", R::Enabled), depooled("a", R::ThresholdAllows)}),
        up("a", {pooled("a", R::ServerUp)})},
       2,
       1},

      {"a verdict for a disabled server decides nothing",
       0.5,
       {list({spec("a"), spec("b", false)}, {}),
        up("a", {pooled("a", R::StartupUp), depooled("b", R::Disabled)}), up("b"), down("b"),
        list({spec("a"), spec("b")}, {depooled("b", R::Enabled)})},
       1,
       0},

      {"all servers down keeps the threshold's share", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               down("c", {pooled("c", R::ThresholdKeeps)}),
               down("d", {pooled("d", R::ThresholdKeeps)}),
               list({spec("a"), spec("b"), spec("c"), spec("d")}, {})}),
       2, 2},

      {"threshold 0 depools every failing server", 0.0,
       concat(
           fourUp(),
           {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
            down("c", {depooled("c", R::ServerDown)}), down("d", {depooled("d", R::ServerDown)})}),
       0, 0},

      {"threshold 1 keeps every enabled server pooled", 1.0,
       concat(fourUp(),
              {down("a", {pooled("a", R::ThresholdKeeps)}),
               down("b", {pooled("b", R::ThresholdKeeps)}), up("a", {pooled("a", R::ServerUp)}),
               list({spec("a"), spec("b"), spec("c"), spec("d", false)},
                    {depooled("d", R::Disabled)})}),
       3, 2},

      {"a single-server pool keeps its server",
       0.5,
       {list({spec("a")}, {}), up("a", {pooled("a", R::StartupUp)}),
        down("a", {pooled("a", R::ThresholdKeeps)}), up("a", {pooled("a", R::ServerUp)})},
       1,
       1},

      {"a single-server pool with threshold 0 depools it",
       0.0,
       {list({spec("a")}, {}), down("a", {depooled("a", R::StartupDown)}),
        up("a", {pooled("a", R::ServerUp)}), down("a", {depooled("a", R::ServerDown)})},
       0,
       0},

      {"flapping gives one decision per change", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), up("a", {pooled("a", R::ServerUp)}),
               down("a", {depooled("a", R::ServerDown)}), up("a", {pooled("a", R::ServerUp)})}),
       4, 0},

      {"repeated verdicts and lists decide nothing", 0.5,
       concat(fourUp(), {up("a"), down("b", {depooled("b", R::ServerDown)}), down("b"),
                         health("b", Health::Unknown, {}),
                         list({spec("a"), spec("b"), spec("c"), spec("d")}, {})}),
       3, 0},

      {"an unknown server's verdict is ignored", 0.5,
       concat(fourUp(), {up("zz"), down("zz"), health("zz", Health::Unknown, {})}), 4, 0},

      {"a pooled server's weight change is decided", 0.5,
       concat(fourUp(), {down("d", {depooled("d", R::ServerDown)}),
                         list({spec("a", true, 20), spec("b"), spec("c"), spec("d", true, 30)},
                              {pooled("a", R::WeightChanged, 20)}),
                         up("d", {pooled("d", R::ServerUp, 30)})}),
       4, 0},

      {"a new server waits for its first verdict", 0.5,
       concat(fourUp(), {list({spec("a"), spec("b"), spec("c"), spec("d"), spec("e")},
                              {depooled("e", R::Added)}),
                         down("e"), up("e", {pooled("e", R::ServerUp)})}),
       5, 0},

      {"a new server is pooled at once when the threshold needs it",
       1.0,
       {list({spec("a")}, {}), up("a", {pooled("a", R::StartupUp)}),
        list({spec("a"), spec("b")}, {pooled("b", R::ThresholdRestores)}), down("b"),
        up("b", {pooled("b", R::ServerUp)}), down("b", {pooled("b", R::ThresholdKeeps)})},
       2,
       1},

      {"removing a pooled-but-down server", 0.5,
       concat(fourUp(),
              {down("a", {depooled("a", R::ServerDown)}), down("b", {depooled("b", R::ServerDown)}),
               down("c", {pooled("c", R::ThresholdKeeps)}),
               list({spec("a"), spec("b"), spec("d")},
                    {pooled("a", R::ThresholdRestores), depooled("c", R::Removed)}),
               list({spec("d")}, {depooled("a", R::Removed), depooled("b", R::Removed)})}),
       1, 1},

      {"the keeper is chosen by ServerId among those already pooled", 0.5,
       concat(fourUp(),
              {down("d", {depooled("d", R::ServerDown)}), down("c", {depooled("c", R::ServerDown)}),
               down("b", {pooled("b", R::ThresholdKeeps)}),
               list({spec("a"), spec("b"), spec("c"), spec("d"), spec("e"), spec("f")},
                    {pooled("c", R::ThresholdRestores), depooled("e", R::Added),
                     depooled("f", R::Added)})}),
       3, 1},
  };
}

TEST(Pool, FollowsEveryScenario) {
  for (const auto& scenario : scenarios()) {
    SCOPED_TRACE(scenario.name);
    Pool pool("web", scenario.threshold);
    for (const auto& step : scenario.steps) {
      SCOPED_TRACE(step.what);
      EXPECT_EQ(step.call(pool), step.expected);
    }
    EXPECT_EQ(pool.pooledCount(), scenario.pooled_at_end);
    EXPECT_EQ(pool.counters().could_not_depool, scenario.could_not_depool);
  }
}

TEST(Pool, PooledButDownMatchesTheStateAfterKeeping) {
  Pool pool("web", 0.5);
  pool.setServers({spec("a"), spec("b"), spec("c"), spec("d")});
  for (const char* host : {"a", "b", "c", "d"}) {
    pool.setHealth(id(host), Health::Up);
  }
  for (const char* host : {"a", "b", "c"}) {
    pool.setHealth(id(host), Health::Down);
  }

  EXPECT_EQ(pool.upAndEnabled(), 1u);
  EXPECT_EQ(pool.pooledCount(), 2u);
  EXPECT_EQ(pool.pooledButDownCount(), 1u);
  EXPECT_TRUE(pool.servers().at(id("c")).pooledButDown());
  EXPECT_FALSE(pool.canDepool());
  EXPECT_EQ(pool.counters().decisions.at(Reason::ServerDown), 2u);
  EXPECT_EQ(pool.counters().decisions.at(Reason::ThresholdKeeps), 1u);
}

TEST(Pool, RequiredPooledRoundsUpWithoutFloatingPointSurprises) {
  struct Vector {
    double threshold;
    std::size_t servers;
    std::size_t required;
  };
  const std::vector<Vector> vectors = {
      {0.5, 4, 2}, {0.5, 3, 2}, {0.7, 10, 7}, {0.3, 10, 3}, {0.1, 3, 1},  {0.0, 5, 0},
      {1.0, 5, 5}, {0.5, 0, 0}, {0.9, 1, 1},  {2.0, 3, 3},  {-1.0, 3, 0},
  };
  for (const auto& v : vectors) {
    Pool pool("web", v.threshold);
    std::vector<ServerSpec> list;
    for (std::size_t i = 0; i < v.servers; ++i) {
      list.push_back(spec("s" + std::to_string(i)));
    }
    pool.setServers(list);
    EXPECT_EQ(pool.requiredPooled(), v.required) << v.threshold << " x " << v.servers;
  }
}

TEST(Pool, ClampsTheThreshold) {
  EXPECT_EQ(Pool("web", 1.5).depoolThreshold(), 1.0);
  EXPECT_EQ(Pool("web", -0.5).depoolThreshold(), 0.0);
  EXPECT_EQ(Pool("web", std::numeric_limits<double>::quiet_NaN()).depoolThreshold(), 0.5);
}

TEST(Pool, ANewThresholdMovesOnlyDownServers) {
  Pool pool("web", 0.5);
  pool.setServers({spec("a"), spec("b"), spec("c"), spec("d")});
  for (const char* host : {"a", "b", "c", "d"}) {
    pool.setHealth(id(host), Health::Up);
  }
  pool.setHealth(id("a"), Health::Down);
  pool.setHealth(id("b"), Health::Down);
  pool.setHealth(id("c"), Health::Down);
  ASSERT_EQ(pool.pooledButDownCount(), 1u);

  // 0.75 x 4 needs three pooled: two down servers now.
  EXPECT_EQ(pool.setDepoolThreshold(0.75),
            (std::vector<Decision>{pooled("a", R::ThresholdRestores)}));
  EXPECT_EQ(pool.pooledCount(), 3u);
  // 0 needs none: every down server goes, the up one stays.
  EXPECT_EQ(pool.setDepoolThreshold(0.0),
            (std::vector<Decision>{depooled("a", R::ThresholdAllows),
                                   depooled("c", R::ThresholdAllows)}));
  EXPECT_EQ(pool.pooledCount(), 1u);
  EXPECT_EQ(pool.depoolThreshold(), 0.0);
  EXPECT_TRUE(pool.setDepoolThreshold(0.0).empty());
}

TEST(Pool, CanDepoolOnlyWithAnUpServerToSpare) {
  Pool pool("web", 0.5);
  pool.setServers({spec("a"), spec("b"), spec("c"), spec("d")});
  for (const char* host : {"a", "b", "c", "d"}) {
    pool.setHealth(id(host), Health::Up);
  }
  EXPECT_TRUE(pool.canDepool());
  pool.setHealth(id("a"), Health::Down);
  EXPECT_TRUE(pool.canDepool());
  pool.setHealth(id("b"), Health::Down);
  EXPECT_FALSE(pool.canDepool());
}

TEST(Pool, NamesEveryReasonDistinctly) {
  const std::vector<Reason> reasons = {R::StartupUp,         R::StartupDown,    R::ServerUp,
                                       R::ServerDown,        R::ThresholdKeeps, R::ThresholdAllows,
                                       R::ThresholdRestores, R::Added,          R::Removed,
                                       R::Enabled,           R::Disabled,       R::WeightChanged};
  std::set<std::string_view> names;
  for (const auto reason : reasons) {
    names.insert(reasonName(reason));
  }
  EXPECT_EQ(names.size(), reasons.size());
  EXPECT_EQ(reasonName(R::ThresholdKeeps), "threshold_keeps");
}

TEST(ServerId, PrintsHostAndPort) {
  EXPECT_EQ((ServerId{"cp1001.example.net", 80}).toString(), "cp1001.example.net:80");
  EXPECT_EQ((ServerId{"2001:db8::1", 443}).toString(), "[2001:db8::1]:443");
}

}  // namespace
}  // namespace vipd::pool
