#include "config/config_reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/yang_context.h"
#include "config/yang_validator.h"

namespace vipd::config {
namespace {

// A description on one line, Markdown table cells kept intact.
std::string oneLine(const char* text) {
  std::string out;
  bool space = false;
  for (const char* c = text == nullptr ? "" : text; *c != '\0'; ++c) {
    if (*c == ' ' || *c == '\n' || *c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += *c == '|' ? std::string("\\|") : std::string(1, *c);
  }
  return out;
}

std::string defaultOf(const lysc_node* node) {
  const ly_ctx* context = YangContext::shared().get();
  if (node->nodetype == LYS_LEAF) {
    const auto* leaf = reinterpret_cast<const lysc_node_leaf*>(node);
    return leaf->dflt == nullptr
               ? std::string{}
               : fmt::format("`{}`", lyd_value_get_canonical(context, leaf->dflt));
  }
  const auto* list = reinterpret_cast<const lysc_node_leaflist*>(node);
  std::string out;
  for (std::uint64_t i = 0; list->dflts != nullptr && i < LY_ARRAY_COUNT(list->dflts); ++i) {
    out += fmt::format("{}`{}`", out.empty() ? "" : ", ",
                       lyd_value_get_canonical(context, list->dflts[i]));
  }
  return out;
}

std::string notes(const lysc_node* node) {
  std::vector<std::string> parts;
  if ((node->flags & LYS_MAND_TRUE) != 0) {
    parts.emplace_back("required");
  }
  if ((node->flags & LYS_KEY) != 0) {
    parts.emplace_back("key");
  }
  if (node->nodetype == LYS_LEAFLIST) {
    parts.emplace_back((node->flags & LYS_ORDBY_USER) != 0 ? "a list, in the order given"
                                                           : "a list of distinct values");
  }
  if (node->parent != nullptr && node->parent->nodetype == LYS_CASE) {
    parts.push_back(fmt::format("case {}", node->parent->name));
  }
  std::string out;
  for (const std::string& part : parts) {
    out += (out.empty() ? "" : "; ") + part;
  }
  return out;
}

// The data nodes directly below `parent`, choices and cases looked through.
std::vector<const lysc_node*> childrenOf(const lysc_node* parent) {
  std::vector<const lysc_node*> children;
  for (const lysc_node* child = lys_getnext(nullptr, parent, nullptr, 0); child != nullptr;
       child = lys_getnext(child, parent, nullptr, 0)) {
    children.push_back(child);
  }
  return children;
}

void printConstraints(const lysc_node* node, std::string& out) {
  const lysc_when* const* when = lysc_node_when(node);
  for (std::uint64_t i = 0; when != nullptr && i < LY_ARRAY_COUNT(when); ++i) {
    out += fmt::format("Present only when `{}`.\n\n", lyxp_get_expr(when[i]->cond));
  }
  const lysc_must* musts = lysc_node_musts(node);
  for (std::uint64_t i = 0; musts != nullptr && i < LY_ARRAY_COUNT(musts); ++i) {
    out +=
        fmt::format("Rule: {} (`{}`).\n\n", musts[i].emsg != nullptr ? musts[i].emsg : "must hold",
                    lyxp_get_expr(musts[i].cond));
  }
}

void printNode(const lysc_node* node, const std::string& path, int depth, std::string& out) {
  const bool is_list = node->nodetype == LYS_LIST;
  const std::string heading(static_cast<std::size_t>(std::min(depth, 4)) + 1, '#');
  out += fmt::format("{} `{}`{}\n\n", heading, path,
                     is_list                             ? " (list)"
                     : (node->flags & LYS_PRESENCE) != 0 ? " (optional object)"
                                                         : "");
  out += oneLine(node->dsc) + "\n\n";
  printConstraints(node, out);

  std::vector<const lysc_node*> nested;
  bool table = false;
  for (const lysc_node* child : childrenOf(node)) {
    if ((child->nodetype & (LYS_LEAF | LYS_LEAFLIST)) == 0) {
      nested.push_back(child);
      continue;
    }
    if (!table) {
      out += "| member | takes | default | notes | meaning |\n|---|---|---|---|---|\n";
      table = true;
    }
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", child->name,
                       oneLine(describeLeafType(child).c_str()), defaultOf(child), notes(child),
                       oneLine(child->dsc));
  }
  out += table ? "\n" : "";
  for (const lysc_node* child : childrenOf(node)) {
    const lysc_when* const* when = lysc_node_when(child);
    if ((child->nodetype & (LYS_LEAF | LYS_LEAFLIST)) != 0 && when != nullptr) {
      out += fmt::format("`{}` is present only when `{}`.\n\n", child->name,
                         lyxp_get_expr(when[0]->cond));
    }
  }
  for (const lysc_node* child : nested) {
    const std::string suffix = child->nodetype == LYS_LIST ? "[]" : "";
    printNode(child, path + "/" + child->name + suffix, depth + 1, out);
  }
}

}  // namespace

std::string configurationReference() {
  const lys_module* module = YangContext::shared().module();
  std::string out = "# vipd configuration reference\n\n";
  out +=
      "<!-- Generated by scripts/gen-config-reference from src/config/vipd.yang; do not "
      "edit. -->\n\n";
  out += fmt::format("YANG module `{}` (namespace `{}`, revision {}).\n\n", module->name,
                     module->ns, module->revision);
  out += oneLine(module->dsc) + "\n\n";
  out +=
      "Paths below name JSON members; `[]` marks a list (a JSON array of objects). "
      "docs/configuration.md explains the file with a worked example.\n\n";
  for (const lysc_node* node = module->compiled->data; node != nullptr; node = node->next) {
    printNode(node, std::string(module->name) + ":" + node->name, 1, out);
  }
  return out;
}

}  // namespace vipd::config
