#include "config/pybal_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "common/ip_address.h"
#include "config/python_literal.h"

namespace vipd::config {

namespace {

constexpr auto kError = Diagnostic::Severity::Error;
constexpr auto kWarning = Diagnostic::Severity::Warning;

// What a PyBal key is read as: ConfigDict's getint, getboolean, getfloat, a string, an
// eval()ed list, or PyBal's space-separated AS path.
enum class ValueType { Int, Bool, Seconds, Fraction, String, List, AsPath };

struct KeyRule {
  std::string_view pybal;  // the key in pybal.conf
  std::string_view path;   // where it goes, relative to its object ("bgp/local-asn")
  ValueType type;
};

// [global]
constexpr KeyRule kGlobalKeys[] = {
    {"bgp", "bgp/enabled", ValueType::Bool},
    {"bgp-local-asn", "bgp/local-as", ValueType::Int},
    {"bgp-as-path", "bgp/attributes/as-path", ValueType::AsPath},
    {"bgp-med", "bgp/attributes/med", ValueType::Int},
    {"bgp-nexthop-ipv4", "bgp/attributes/next-hop-ipv4", ValueType::String},
    {"bgp-nexthop-ipv6", "bgp/attributes/next-hop-ipv6", ValueType::String},
    {"bgp-local-ips", "bgp/listen/address", ValueType::List},
    {"bgp-local-port", "bgp/listen/port", ValueType::Int},
    {"instrumentation", "instrumentation/enabled", ValueType::Bool},
    {"instrumentation_port", "instrumentation/port", ValueType::Int},
    {"instrumentation_ips", "instrumentation/listen", ValueType::List},
};

// A service section's own keys ("monitors" and MONITOR.OPTION are handled apart).
constexpr KeyRule kServiceKeys[] = {
    {"protocol", "protocol", ValueType::String},
    {"ip", "address", ValueType::String},
    {"port", "port", ValueType::Int},
    {"scheduler", "scheduler", ValueType::String},
    {"config", "server-list/url", ValueType::String},
    {"ops", "one-packet", ValueType::Bool},
    {"depool-threshold", "depool-threshold", ValueType::Fraction},
    {"bgp", "bgp/announce", ValueType::Bool},
    {"bgp-med", "bgp/attributes/med", ValueType::Int},
};

// PyBal's session timers, which an import keeps: it proposed a hold time of 180 s and
// retried a connection every 30 s.
constexpr int kPybalHoldTime = 180;
constexpr int kPybalConnectRetryTime = 30;

// One PyBal monitor: its name in `monitors`, vipd's kind, its options and PyBal's defaults
// for interval and timeout where they differ from vipd's (10 s and 5 s).
struct MonitorRule {
  std::string_view pybal;
  std::string_view kind;
  std::vector<KeyRule> options;
  std::optional<int> interval;
  std::optional<int> timeout;
};

const std::vector<MonitorRule>& monitorRules() {
  static const std::vector<MonitorRule> kRules = {
      {"ProxyFetch",
       "http",
       {{"url", "http/url", ValueType::List},
        {"http_status", "http/http-status", ValueType::Int},
        {"check_all", "http/check-all", ValueType::Bool},
        {"max_failures", "http/max-failures", ValueType::Int}},
       std::nullopt,
       std::nullopt},
      {"IdleConnection",
       "idle-connection",
       {{"timeout-clean-reconnect", "idle-connection/timeout-clean-reconnect", ValueType::Seconds},
        {"max-delay", "idle-connection/max-delay", ValueType::Seconds},
        {"keepalive", "idle-connection/keepalive", ValueType::Bool},
        {"keepalive-idle", "idle-connection/keepalive-idle", ValueType::Seconds},
        {"keepalive-interval", "idle-connection/keepalive-interval", ValueType::Seconds},
        {"keepalive-retries", "idle-connection/keepalive-retries", ValueType::Int}},
       std::nullopt,
       std::nullopt},
      {"RunCommand",
       "run-command",
       {{"command", "run-command/command", ValueType::String},
        {"arguments", "run-command/arguments", ValueType::List},
        {"log-output", "run-command/log-output", ValueType::Bool}},
       60,
       20},
      {"DNSQuery",
       "dns",
       {{"hostnames", "dns/hostnames", ValueType::List},
        {"fail-on-nxdomain", "dns/fail-on-nxdomain", ValueType::Bool}},
       std::nullopt,
       std::nullopt},
      {"UDP",
       "udp",
       {{"icmp-timeout", "udp/icmp-timeout", ValueType::Seconds}},
       std::nullopt,
       std::nullopt},
  };
  return kRules;
}

// Options every looping monitor takes.
constexpr KeyRule kMonitorCommonKeys[] = {
    {"interval", "interval", ValueType::Seconds},
    {"timeout", "timeout", ValueType::Seconds},
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\n");
  const std::size_t last = text.find_last_not_of(" \t\n");
  return first == std::string_view::npos ? std::string{}
                                         : std::string(text.substr(first, last - first + 1));
}

// Python's int(): white space around, an optional sign, decimal digits.
std::optional<std::int64_t> pythonInt(std::string_view text) {
  const std::string value = trimmed(text);
  std::string_view digits = value;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
  }
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return number;
}

std::optional<double> pythonFloat(std::string_view text) {
  const std::string value = trimmed(text);
  std::string_view digits = value;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
  }
  double number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
      !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

// ConfigDict.getboolean's words.
std::optional<bool> pythonBool(std::string_view text) {
  const std::string value = lower(trimmed(text));
  for (const char* yes : {"t", "true", "y", "yes", "on", "1"}) {
    if (value == yes) {
      return true;
    }
  }
  for (const char* no : {"f", "false", "n", "no", "off", "0"}) {
    if (value == no) {
      return false;
    }
  }
  return std::nullopt;
}

// A decimal for YANG's decimal64 (and the seconds union): a JSON string such as "0.5", or a
// JSON integer when whole. A value that is no number is passed on as the string it is, for
// libyang to reject with its own message.
boost::json::value decimalJson(std::string_view text, bool whole_as_integer) {
  if (whole_as_integer) {
    if (const auto number = pythonInt(text)) {
      return boost::json::value(*number);
    }
  }
  if (const auto number = pythonFloat(text)) {
    return boost::json::value(fmt::format("{}", *number));
  }
  return boost::json::value(trimmed(text));
}

boost::json::value pyToJson(const PyValue& value) {
  switch (value.kind) {
    case PyValue::Kind::None:
      return nullptr;
    case PyValue::Kind::Bool:
      return value.boolean;
    case PyValue::Kind::Int:
      return value.integer;
    case PyValue::Kind::Float:
      return value.real;
    case PyValue::Kind::String:
      return boost::json::value(value.text);
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple: {
      boost::json::array array;
      for (const PyValue& item : value.items) {
        array.push_back(pyToJson(item));
      }
      return array;
    }
    case PyValue::Kind::Dict:
      return boost::json::value(std::string("(a dict)"));
  }
  return nullptr;
}

class PybalTranslator {
 public:
  PybalTranslator(const IniFile& ini, const std::string& file) : ini_(ini), file_(file) {}

  PybalTranslation translate() {
    boost::json::object config;
    boost::json::array services;
    for (const IniSection& section : ini_.sections) {
      if (section.name == "global") {
        config["global"] = translateGlobal(section);
      } else {
        services.push_back(translateService(section, services.size()));
      }
    }
    if (!config.contains("global")) {
      boost::json::object global;
      translateBgp(IniSection{}, nullptr, global, "/vipd:config/global");
      config["global"] = std::move(global);
    }
    if (!services.empty()) {
      config["service"] = std::move(services);
    }
    lines_.add("/vipd:config", 1);

    PybalTranslation result;
    result.document.value = boost::json::object{{"vipd:config", std::move(config)}};
    result.document.text = boost::json::serialize(result.document.value);
    result.document.text_is_source = false;
    result.document.lines = std::move(lines_);
    result.document.file = file_;
    result.document.origin = Origin::Pybal;
    result.document.warnings = std::move(warnings_);
    result.errors = std::move(errors_);
    return result;
  }

 private:
  boost::json::object translateGlobal(const IniSection& section) {
    const std::string pointer = "/vipd:config/global";
    lines_.add(pointer, section.line);
    boost::json::object global;
    std::optional<IniEntry> peers;  // entriesOf() returns copies
    for (const IniEntry& entry : ini_.entriesOf(section)) {
      if (const KeyRule* rule = findRule(kGlobalKeys, entry.key)) {
        put(global, pointer, *rule, section, entry);
      } else if (entry.key == "bgp-peer-address") {
        peers = entry;
      } else if (entry.key == "debug") {
        const bool debug = pythonBool(value(section, entry)).value_or(false);
        global["log-level"] = debug ? "debug" : "info";
        lines_.add(pointer + "/log-level", entry.line);
      } else {
        unknownKey(section, entry);
      }
    }
    translateBgp(section, peers ? &*peers : nullptr, global, pointer);
    return global;
  }

  // PyBal sent MED 0 unless told otherwise, and had one peer per bgp-peer-address, with no
  // peer AS (any is accepted), its own timers, and the bgp-local-ips address of the peer's
  // family as the source.
  void translateBgp(const IniSection& section, const IniEntry* peers, boost::json::object& global,
                    const std::string& pointer) {
    auto& bgp = global["bgp"];
    if (!bgp.is_object()) {
      bgp = boost::json::object{};
    }
    auto& attributes = bgp.as_object()["attributes"];
    if (!attributes.is_object()) {
      attributes = boost::json::object{};
    }
    if (!attributes.as_object().contains("med")) {
      attributes.as_object()["med"] = 0;
    }
    if (peers == nullptr) {
      return;
    }
    const std::string at = pointer + "/bgp/peer";
    lines_.add(pointer + "/bgp", peers->line);
    lines_.add(at, peers->line);
    boost::json::array list;
    for (const auto& address : listValue(section, *peers)) {
      const std::string peer_at = at + "/" + std::to_string(list.size());
      const std::string name =
          address.is_string() ? std::string(address.get_string()) : boost::json::serialize(address);
      if (std::any_of(list.begin(), list.end(), [&](const auto& peer) {
            return peer.as_object().at("name") == boost::json::value(name);
          })) {
        error(peers->line, "bgp-peer-address lists " + name + " twice");
        continue;
      }
      boost::json::object peer{{"name", name},
                               {"address", address},
                               {"hold-time", kPybalHoldTime},
                               {"connect-retry-time", kPybalConnectRetryTime}};
      for (const char* leaf : {"", "/name", "/address", "/hold-time", "/connect-retry-time"}) {
        lines_.add(peer_at + leaf, peers->line);
      }
      if (const auto local = localAddressFor(name, bgp.as_object())) {
        peer["local-address"] = *local;
        lines_.add(peer_at + "/local-address", peers->line);
      }
      list.push_back(std::move(peer));
    }
    bgp.as_object()["peer"] = std::move(list);
  }

  // The first bgp-local-ips address of the family of `peer`, if there is one.
  static std::optional<std::string> localAddressFor(const std::string& peer,
                                                    const boost::json::object& bgp) {
    const auto peer_address = IpAddress::parse(peer);
    const auto* listen = bgp.if_contains("listen");
    const auto* addresses = listen != nullptr && listen->is_object()
                                ? listen->as_object().if_contains("address")
                                : nullptr;
    if (!peer_address || addresses == nullptr || !addresses->is_array()) {
      return std::nullopt;
    }
    for (const auto& value : addresses->as_array()) {
      const auto local = value.is_string() ? IpAddress::parse(value.get_string()) : std::nullopt;
      if (local && local->family() == peer_address->family()) {
        return local->toString();
      }
    }
    return std::nullopt;
  }

  boost::json::object translateService(const IniSection& section, std::size_t index) {
    const std::string pointer = "/vipd:config/service/" + std::to_string(index);
    lines_.add(pointer, section.line);
    boost::json::object service{{"name", section.name}};
    lines_.add(pointer + "/name", section.line);
    std::vector<IniEntry> options;
    for (const IniEntry& entry : ini_.entriesOf(section)) {
      if (const KeyRule* rule = findRule(kServiceKeys, entry.key)) {
        put(service, pointer, *rule, section, entry);
      } else if (entry.key == "monitors" || entry.key.find('.') != std::string::npos) {
        options.push_back(entry);
      } else {
        unknownKey(section, entry);
      }
    }
    if (section.find("config") == nullptr && ini_.defaults.find("config") == nullptr) {
      error(section.line, "service [" + section.name +
                              "] has no config (its server list URL), which PyBal requires");
    }
    translateMonitors(section, options, service, pointer);
    return service;
  }

  void translateMonitors(const IniSection& section, const std::vector<IniEntry>& entries,
                         boost::json::object& service, const std::string& pointer) {
    const auto monitors_entry = std::find_if(entries.begin(), entries.end(),
                                             [](const IniEntry& e) { return e.key == "monitors"; });
    std::map<std::string, std::pair<const MonitorRule*, std::size_t>> used;  // prefix -> rule
    boost::json::array monitors;
    if (monitors_entry != entries.end()) {
      lines_.add(pointer + "/monitor", monitors_entry->line);
      for (const std::string& name : stringList(section, *monitors_entry)) {
        const MonitorRule* rule = findMonitor(name);
        if (rule == nullptr) {
          error(monitors_entry->line, "monitor " + name + " is not one vipd has (it has " +
                                          "ProxyFetch, IdleConnection, RunCommand, DNSQuery, UDP)");
          continue;
        }
        const std::string prefix = lower(rule->pybal);
        if (used.contains(prefix)) {
          error(monitors_entry->line, "monitor " + name + " is listed twice");
          continue;
        }
        const std::string monitor_pointer = pointer + "/monitor/" + std::to_string(monitors.size());
        lines_.add(monitor_pointer, monitors_entry->line);
        boost::json::object monitor{{"name", prefix}, {"kind", rule->kind}};
        if (rule->interval) {
          monitor["interval"] = *rule->interval;
        }
        if (rule->timeout) {
          monitor["timeout"] = *rule->timeout;
        }
        used.emplace(prefix, std::pair{rule, monitors.size()});
        monitors.push_back(std::move(monitor));
      }
    }
    translateMonitorOptions(section, entries, used, monitors, pointer);
    if (!monitors.empty()) {
      service["monitor"] = std::move(monitors);
    }
  }

  void translateMonitorOptions(
      const IniSection& section, const std::vector<IniEntry>& entries,
      const std::map<std::string, std::pair<const MonitorRule*, std::size_t>>& used,
      boost::json::array& monitors, const std::string& pointer) {
    for (const IniEntry& entry : entries) {
      const std::size_t dot = entry.key.find('.');
      if (entry.key == "monitors" || dot == std::string::npos) {
        continue;
      }
      const std::string prefix = entry.key.substr(0, dot);
      const std::string option = entry.key.substr(dot + 1);
      const auto monitor = used.find(prefix);
      if (monitor == used.end()) {
        warn(entry.line, "key " + entry.key + " in [" + section.name +
                             "] is for a monitor the service does not list in monitors; ignored");
        continue;
      }
      const auto& [rule, index] = monitor->second;
      const KeyRule* key = findRule(kMonitorCommonKeys, option);
      key = key != nullptr ? key : findRule(rule->options, option);
      if (key == nullptr) {
        unknownKey(section, entry);
        continue;
      }
      put(monitors[index].as_object(), pointer + "/monitor/" + std::to_string(index), *key, section,
          entry);
    }
  }

  // Writes one entry's value at rule.path below `object` (at JSON pointer `pointer`).
  void put(boost::json::object& object, const std::string& pointer, const KeyRule& rule,
           const IniSection& section, const IniEntry& entry) {
    boost::json::object* parent = &object;
    std::string at = pointer;
    std::string_view path = rule.path;
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
         slash = path.find('/')) {
      const std::string step(path.substr(0, slash));
      at += "/" + step;
      auto& child = (*parent)[step];
      if (!child.is_object()) {
        child = boost::json::object{};
        lines_.add(at, entry.line);
      }
      parent = &child.as_object();
      path.remove_prefix(slash + 1);
    }
    at += "/" + std::string(path);
    lines_.add(at, entry.line);
    (*parent)[path] = convert(rule.type, section, entry);
  }

  boost::json::value convert(ValueType type, const IniSection& section, const IniEntry& entry) {
    const std::string text = value(section, entry);
    switch (type) {
      case ValueType::Int:
        if (const auto number = pythonInt(text)) {
          return *number;
        }
        return boost::json::value(trimmed(text));
      case ValueType::Bool:
        if (const auto flag = pythonBool(text)) {
          return *flag;
        }
        return boost::json::value(trimmed(text));
      case ValueType::Seconds:
        return decimalJson(text, true);
      case ValueType::Fraction:
        return decimalJson(text, false);
      case ValueType::String:
        return boost::json::value(trimmed(text));
      case ValueType::AsPath: {
        std::string path;
        for (std::size_t at = 0; at < text.size();) {
          const std::size_t start = text.find_first_not_of(" \t\n", at);
          if (start == std::string::npos) {
            break;
          }
          const std::size_t end = std::min(text.find_first_of(" \t\n", start), text.size());
          path += (path.empty() ? "" : " ") + text.substr(start, end - start);
          at = end;
        }
        return boost::json::value(path);
      }
      case ValueType::List:
        return listValue(section, entry);
    }
    return nullptr;
  }

  // A list value as PyBal eval()ed it: a Python list or tuple; one quoted string or a bare
  // word (a URL PyBal could not have parsed) is taken as a one-element list. Elements keep
  // their order and type: one that is not a string is left for libyang to reject.
  boost::json::array listValue(const IniSection& section, const IniEntry& entry) {
    const std::string text = value(section, entry);
    const auto parsed = parsePythonLiteral(text);
    if (!parsed) {
      if (text.find_first_of("[](){}'\",") != std::string::npos || trimmed(text).empty()) {
        error(entry.line + parsed.error().line - 1,
              fmt::format("{}: column {}: not a Python literal: {}", entry.key,
                          parsed.error().column, parsed.error().message));
        return {};
      }
      return {boost::json::value(trimmed(text))};
    }
    if (parsed->kind == PyValue::Kind::String) {
      warn(entry.line, entry.key +
                           " is a single string; vipd takes it as a one-element list "
                           "(PyBal would have used its characters one by one)");
      return {boost::json::value(parsed->text)};
    }
    if (parsed->kind != PyValue::Kind::List && parsed->kind != PyValue::Kind::Tuple) {
      error(entry.line, entry.key + " is " + parsed->describe() + ", expected a list of strings");
      return {};
    }
    return pyToJson(*parsed).as_array();
  }

  // listValue, where only strings make sense (monitor names).
  std::vector<std::string> stringList(const IniSection& section, const IniEntry& entry) {
    std::vector<std::string> strings;
    for (const auto& item : listValue(section, entry)) {
      if (item.is_string()) {
        strings.emplace_back(item.get_string());
      } else {
        error(entry.line,
              entry.key + " holds " + boost::json::serialize(item) + ", expected strings only");
      }
    }
    return strings;
  }

  std::string value(const IniSection& section, const IniEntry& entry) {
    auto expanded = ini_.interpolate(section, entry.value);
    if (!expanded) {
      error(entry.line, entry.key + ": " + expanded.error());
      return entry.value;
    }
    return *expanded;
  }

  template <typename Rules>
  static const KeyRule* findRule(const Rules& rules, std::string_view key) {
    for (const KeyRule& rule : rules) {
      if (rule.pybal == key) {
        return &rule;
      }
    }
    return nullptr;
  }

  static const MonitorRule* findMonitor(std::string_view name) {
    for (const MonitorRule& rule : monitorRules()) {
      if (rule.pybal == name) {
        return &rule;
      }
    }
    return nullptr;
  }

  void unknownKey(const IniSection& section, const IniEntry& entry) {
    warn(entry.line, "key " + entry.key + " in [" + section.name +
                         "] is not one PyBal knows; ignored, as PyBal did");
  }

  void warn(int line, std::string message) {
    const bool seen = std::any_of(warnings_.begin(), warnings_.end(), [&](const Diagnostic& d) {
      return d.line == line && d.message == message;
    });
    if (!seen) {
      warnings_.push_back({kWarning, file_, line, "", std::move(message)});
    }
  }

  void error(int line, std::string message) {
    errors_.push_back({kError, file_, line, "", std::move(message)});
  }

  const IniFile& ini_;
  const std::string& file_;
  LineIndex lines_;
  Diagnostics warnings_;
  Diagnostics errors_;
};

}  // namespace

PybalTranslation translatePybal(const IniFile& ini, const std::string& file) {
  return PybalTranslator(ini, file).translate();
}

}  // namespace vipd::config
