#include "config/normalized_json.h"

#include <algorithm>
#include <boost/json.hpp>
#include <vector>

#include "config/libyang_handles.h"
#include "config/yang_context.h"

namespace vipd::config {

namespace {

std::string sortKey(const boost::json::value& value) {
  return value.is_string() ? std::string(value.get_string()) : boost::json::serialize(value);
}

std::vector<std::string> listKeys(const lysc_node* list) {
  std::vector<std::string> keys;
  for (const lysc_node* child = lysc_node_child(list); child != nullptr; child = child->next) {
    if ((child->flags & LYS_KEY) != 0) {
      keys.emplace_back(child->name);
    }
  }
  return keys;
}

void sortBySchema(boost::json::value& value, const lysc_node* schema);

void sortArray(boost::json::array& array, const lysc_node* schema) {
  if ((schema->flags & LYS_ORDBY_USER) != 0) {
    return;
  }
  if (schema->nodetype == LYS_LEAFLIST) {
    std::stable_sort(array.begin(), array.end(),
                     [](const auto& a, const auto& b) { return sortKey(a) < sortKey(b); });
    return;
  }
  const std::vector<std::string> keys = listKeys(schema);
  const auto key_of = [&keys](const boost::json::value& entry) {
    std::vector<std::string> values;
    for (const std::string& key : keys) {
      const auto* member = entry.is_object() ? entry.get_object().if_contains(key) : nullptr;
      values.push_back(member == nullptr ? std::string{} : sortKey(*member));
    }
    return values;
  };
  std::stable_sort(array.begin(), array.end(),
                   [&](const auto& a, const auto& b) { return key_of(a) < key_of(b); });
  for (auto& entry : array) {
    sortBySchema(entry, schema);
  }
}

// Members keep libyang's (schema) order; arrays are sorted where order means nothing.
void sortBySchema(boost::json::value& value, const lysc_node* schema) {
  auto* object = value.if_object();
  if (object == nullptr) {
    return;
  }
  for (auto& [name, member] : *object) {
    const std::string_view key = name;
    const std::string_view local =
        key.substr(key.find(':') == std::string_view::npos ? 0 : key.find(':') + 1);
    const std::string local_name(local);
    const lysc_node* child =
        lys_find_child(schema, YangContext::shared().module(), local_name.c_str(), 0, 0, 0);
    if (child == nullptr) {
      continue;
    }
    if (auto* array = member.if_array()) {
      sortArray(*array, child);
    } else {
      sortBySchema(member, child);
    }
  }
}

void printValue(const boost::json::value& value, int indent, std::string& out);

void newline(int indent, std::string& out) {
  out += '\n';
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
}

void printObject(const boost::json::object& object, int indent, std::string& out) {
  if (object.empty()) {
    out += "{}";
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [name, member] : object) {
    out += first ? "" : ",";
    first = false;
    newline(indent + 1, out);
    out += boost::json::serialize(boost::json::value(name));
    out += ": ";
    printValue(member, indent + 1, out);
  }
  newline(indent, out);
  out += '}';
}

void printArray(const boost::json::array& array, int indent, std::string& out) {
  if (array.empty()) {
    out += "[]";
    return;
  }
  out += '[';
  bool first = true;
  for (const auto& element : array) {
    out += first ? "" : ",";
    first = false;
    newline(indent + 1, out);
    printValue(element, indent + 1, out);
  }
  newline(indent, out);
  out += ']';
}

void printValue(const boost::json::value& value, int indent, std::string& out) {
  if (const auto* object = value.if_object()) {
    printObject(*object, indent, out);
  } else if (const auto* array = value.if_array()) {
    printArray(*array, indent, out);
  } else {
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string prettyJson(const boost::json::value& value) {
  std::string out;
  printValue(value, 0, out);
  out += '\n';
  return out;
}

std::string normalizedJson(const lyd_node* tree) {
  char* raw = nullptr;
  lyd_print_mem(&raw, tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_WD_ALL | LYD_PRINT_SHRINK);
  const MallocText text(raw);
  boost::system::error_code error;
  boost::json::value document = boost::json::parse(raw == nullptr ? "{}" : raw, error);
  if (error) {
    return raw == nullptr ? std::string("{}\n") : std::string(raw) + "\n";
  }
  if (auto* top = document.if_object()) {
    for (auto& [name, member] : *top) {
      const std::string path = "/" + std::string(name);
      if (const lysc_node* schema = YangContext::shared().findSchema(path)) {
        sortBySchema(member, schema);
      }
    }
  }
  return prettyJson(document);
}

}  // namespace vipd::config
