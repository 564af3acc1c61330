#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_reference.h"
#include "config/loader.h"
#include "config/yang_context.h"
#include "test_files.h"

namespace vipd::config {
namespace {

void collectUndocumented(const lysc_node* node, const std::string& parent,
                         std::vector<std::string>& out) {
  for (; node != nullptr; node = node->next) {
    const std::string path = parent + "/" + node->name;
    if (node->dsc == nullptr || std::string(node->dsc).empty()) {
      out.push_back(path);
    }
    collectUndocumented(lysc_node_child(node), path, out);
  }
}

TEST(YangSchema, IsBuiltIntoTheBinaryWithItsHeader) {
  const std::string_view text = yangModule();
  EXPECT_NE(text.find("module vipd {"), std::string_view::npos);
  const lys_module* module = YangContext::shared().module();
  ASSERT_NE(module, nullptr);
  EXPECT_STREQ(module->name, "vipd");
  EXPECT_STREQ(module->ns, "urn:vipd:config");
  EXPECT_STREQ(module->prefix, "vipd");
  EXPECT_STREQ(module->revision, "2026-12-03");
}

TEST(YangSchema, DescribesEveryNode) {
  std::vector<std::string> undocumented;
  collectUndocumented(YangContext::shared().module()->compiled->data, "", undocumented);
  EXPECT_TRUE(undocumented.empty()) << ::testing::PrintToString(undocumented);
}

struct DefaultCase {
  const char* schema_path;
  const char* value;
};

TEST(YangSchema, HasPyBalsDefaults) {
  const DefaultCase cases[] = {
      {"/vipd:config/global/control-socket", "/run/vipd/vipd.ctl"},
      {"/vipd:config/global/log-level", "info"},
      {"/vipd:config/global/instrumentation/port", "9090"},
      {"/vipd:config/global/bgp/listen/port", "179"},
      {"/vipd:config/global/bgp/hold-down", "10"},
      {"/vipd:config/global/bgp/peer/hold-time", "90"},
      {"/vipd:config/service/bgp/min-healthy", "1"},
      {"/vipd:config/service/scheduler", "wrr"},
      {"/vipd:config/service/forwarding", "dr"},
      {"/vipd:config/service/depool-threshold", "0.5"},
      {"/vipd:config/service/monitor/interval", "10"},
      {"/vipd:config/service/monitor/timeout", "5"},
      {"/vipd:config/service/monitor/jitter", "0.1"},
      {"/vipd:config/service/monitor/rise", "1"},
      {"/vipd:config/service/monitor/fall", "1"},
      {"/vipd:config/service/server/weight", "10"},
      {"/vipd:config/service/server/enabled", "true"},
      {"/vipd:config/service/monitor/http/http-status", "200"},
      {"/vipd:config/service/monitor/idle-connection/max-delay", "300"},
      {"/vipd:config/service/monitor/udp/icmp-timeout", "20"},
  };
  for (const DefaultCase& expected : cases) {
    const lysc_node* node = YangContext::shared().findSchema(expected.schema_path);
    ASSERT_NE(node, nullptr) << expected.schema_path;
    ASSERT_EQ(node->nodetype, LYS_LEAF) << expected.schema_path;
    const auto* leaf = reinterpret_cast<const lysc_node_leaf*>(node);
    ASSERT_NE(leaf->dflt, nullptr) << expected.schema_path;
    EXPECT_STREQ(lyd_value_get_canonical(YangContext::shared().get(), leaf->dflt), expected.value)
        << expected.schema_path;
  }
}

TEST(YangSchema, AllowsOnlyTheParameterContainerOfTheMonitorsKind) {
  for (const char* kind : {"idle-connection", "tcp", "http", "dns", "udp", "run-command", "icmp"}) {
    const std::string path = std::string("/vipd:config/service/monitor/") + kind;
    const lysc_node* node = YangContext::shared().findSchema(path);
    ASSERT_NE(node, nullptr) << path;
    const lysc_when* const* when = lysc_node_when(node);
    ASSERT_NE(when, nullptr) << path;
    ASSERT_EQ(LY_ARRAY_COUNT(when), 1U) << path;
  }
}

TEST(YangSchema, CommittedReferenceIsUpToDate) {
  const std::string committed =
      testing::readFile(testing::sourceDir() / "docs" / "configuration-reference.md");
  EXPECT_EQ(committed, configurationReference())
      << "docs/configuration-reference.md is out of date: run scripts/gen-config-reference";
}

TEST(YangSchema, ReferenceListsEveryLeafWithItsDefault) {
  const std::string reference = configurationReference();
  EXPECT_NE(reference.find("| `control-socket` |"), std::string::npos);
  EXPECT_NE(reference.find("| `depool-threshold` | a decimal number written as a JSON string"),
            std::string::npos);
  EXPECT_NE(reference.find("`vipd:config/service[]/monitor[]/http`"), std::string::npos);
  EXPECT_NE(reference.find("Present only when `../kind = 'http'`"), std::string::npos);
}

}  // namespace
}  // namespace vipd::config
