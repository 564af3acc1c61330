#include "cli/command_table.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "control/frame_codec.h"

namespace vipd::cli {

namespace {

using control::Request;
using Built = std::expected<Request, std::string>;

constexpr const char* kNoSuchCommand = "No such command. Press `?' for help.";

Request base() {
  Request request;
  request.set_version(control::kApiVersion);
  return request;
}

std::string value(const Arguments& arguments, const std::string& key) {
  const auto found = arguments.find(key);
  return found == arguments.end() ? std::string() : found->second;
}

// "web1", "web1:8080", "198.51.100.1:80", "[2001:db8::1]:80", "2001:db8::1".
Built setServer(const Arguments& arguments, bool enabled) {
  auto request = base();
  auto* command = request.mutable_set_server_enabled();
  command->set_service(value(arguments, "SERVICE"));
  command->set_enabled(enabled);
  std::string host = value(arguments, "HOST[:PORT]");
  std::string port;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string::npos) {
      return std::unexpected("missing ] in " + host);
    }
    if (close + 1 < host.size() && host[close + 1] == ':') {
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    port = host.substr(host.find(':') + 1);
    host = host.substr(0, host.find(':'));
  }
  if (!port.empty()) {
    std::uint32_t number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
      return std::unexpected("invalid port " + port);
    }
    command->set_port(number);
  }
  command->set_host(host);
  return request;
}

template <typename Set>
CommandSpec spec(std::vector<std::string> words, std::vector<Argument> arguments,
                 std::string description, Set set) {
  return {std::move(words), std::move(arguments), std::move(description),
          [set](const Arguments& given) -> Built {
            auto request = base();
            set(request, given);
            return request;
          }};
}

bool isPrefix(const std::string& word, const std::string& keyword) {
  return !word.empty() && keyword.starts_with(word);
}

// The keyword an abbreviation stands for among candidates: an exact match, else the only one
// it is a prefix of. Empty when none; the candidates when several.
std::expected<std::string, std::vector<std::string>> resolve(
    const std::string& word, const std::set<std::string>& candidates) {
  if (candidates.contains(word)) {
    return word;
  }
  std::vector<std::string> matches;
  for (const auto& candidate : candidates) {
    if (isPrefix(word, candidate)) {
      matches.push_back(candidate);
    }
  }
  if (matches.size() == 1) {
    return matches.front();
  }
  if (matches.empty()) {
    return std::string();
  }
  return std::unexpected(matches);
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (const auto& word : words) {
    out += (out.empty() ? "" : separator) + word;
  }
  return out;
}

std::string ambiguous(const std::vector<std::string>& typed,
                      const std::vector<std::string>& candidates) {
  return "Ambiguous command `" + join(typed, " ") + "': could be " + join(candidates, ", ");
}

// The keywords that may follow the first `depth` (resolved) words.
std::set<std::string> keywordsAt(const std::vector<CommandSpec>& commands,
                                 const std::vector<std::string>& resolved) {
  std::set<std::string> out;
  for (const auto& command : commands) {
    if (command.words.size() > resolved.size() &&
        std::equal(resolved.begin(), resolved.end(), command.words.begin())) {
      out.insert(command.words[resolved.size()]);
    }
  }
  return out;
}

const CommandSpec* exactly(const std::vector<CommandSpec>& commands,
                           const std::vector<std::string>& resolved) {
  for (const auto& command : commands) {
    if (command.words == resolved) {
      return &command;
    }
  }
  return nullptr;
}

struct Walk {
  std::vector<std::string> resolved;
  const CommandSpec* command = nullptr;
  std::size_t next = 0;  // the first word not consumed by the keywords
  std::string error;
};

// Resolves the command's keywords from the start of `words`.
Walk walkKeywords(const std::vector<CommandSpec>& commands, const std::vector<std::string>& words) {
  Walk walk;
  for (; walk.next < words.size(); ++walk.next) {
    const auto keywords = keywordsAt(commands, walk.resolved);
    if (keywords.empty()) {
      break;
    }
    const auto keyword = resolve(words[walk.next], keywords);
    if (!keyword) {
      std::vector<std::string> typed(words.begin(),
                                     words.begin() + static_cast<std::ptrdiff_t>(walk.next + 1));
      walk.error = ambiguous(typed, keyword.error());
      return walk;
    }
    if (keyword->empty()) {
      break;
    }
    walk.resolved.push_back(*keyword);
  }
  walk.command = exactly(commands, walk.resolved);
  return walk;
}

std::expected<Arguments, std::string> bindArguments(const CommandSpec& command,
                                                    const std::vector<std::string>& words,
                                                    std::size_t next) {
  Arguments bound;
  for (const auto& argument : command.arguments) {
    const bool have = next < words.size();
    if (argument.kind == ArgumentKind::Keyword) {
      if (have && isPrefix(words[next], argument.text)) {
        bound[argument.text] = argument.text;
        ++next;
      }
      continue;
    }
    if (have) {
      bound[argument.text] = words[next++];
    } else if (!argument.optional) {
      return std::unexpected("Missing " + argument.text + ": " + command.usage());
    }
  }
  if (next < words.size()) {
    return std::unexpected("Unexpected `" + words[next] + "': " + command.usage());
  }
  return bound;
}

}  // namespace

std::string CommandSpec::usage() const {
  std::string out = join(words, " ");
  for (const auto& argument : arguments) {
    out += argument.optional ? " [" + argument.text + "]" : " " + argument.text;
  }
  return out;
}

CommandTable::CommandTable() {
  using K = ArgumentKind;
  const Argument service{K::Service, "SERVICE", true};
  const Argument required_service{K::Service, "SERVICE", false};
  const Argument server{K::Server, "HOST[:PORT]", false};
  const Argument peer{K::Peer, "PEER", false};
  const Argument vip{K::Vip, "VIP", false};
  const Argument file{K::File, "FILE", true};
  commands_ = {
      spec({"show", "status"}, {}, "Version, uptime, configuration and counts",
           [](Request& r, const Arguments&) { r.mutable_show_status(); }),
      spec({"show", "services"}, {service}, "Each service: VIP, scheduler, servers, announcement",
           [](Request& r, const Arguments& a) {
             r.mutable_show_services()->set_service(value(a, "SERVICE"));
           }),
      spec({"show", "servers"}, {service}, "Each server: health, pooled, weight, monitors",
           [](Request& r, const Arguments& a) {
             r.mutable_show_servers()->set_service(value(a, "SERVICE"));
           }),
      spec({"show", "monitors"}, {service}, "Each monitor of each server and its last result",
           [](Request& r, const Arguments& a) {
             r.mutable_show_monitors()->set_service(value(a, "SERVICE"));
           }),
      spec({"show", "ipvs"}, {{K::Keyword, "stats", true}},
           "The kernel's IPVS table as vipd sees it",
           [](Request& r, const Arguments& a) {
             r.mutable_show_ipvs()->set_stats(a.contains("stats"));
           }),
      spec({"show", "protocols"}, {{K::Keyword, "all", true}, {K::Peer, "PEER", true}},
           "Each BGP peer: state, since, last error",
           [](Request& r, const Arguments& a) {
             r.mutable_show_protocols()->set_all(a.contains("all"));
             r.mutable_show_protocols()->set_peer(value(a, "PEER"));
           }),
      spec(
          {"show", "route"}, {{K::Vip, "VIP", true}}, "What is announced to which peer",
          [](Request& r, const Arguments& a) { r.mutable_show_route()->set_vip(value(a, "VIP")); }),
      spec({"configure", "check"}, {file}, "Validate a configuration without applying it",
           [](Request& r, const Arguments& a) {
             r.mutable_configure_check()->set_file(value(a, "FILE"));
           }),
      spec({"configure"}, {file}, "Reload the configuration as far as vipd can",
           [](Request& r, const Arguments& a) {
             r.mutable_configure()->set_file(value(a, "FILE"));
           }),
      {{"disable", "server"},
       {required_service, server},
       "Take a server out (operator override)",
       [](const Arguments& a) { return setServer(a, false); }},
      {{"enable", "server"},
       {required_service, server},
       "Lift the operator's override",
       [](const Arguments& a) { return setServer(a, true); }},
      spec({"disable", "protocol"}, {peer}, "Stop the BGP session with a peer",
           [](Request& r, const Arguments& a) {
             r.mutable_set_protocol_enabled()->set_peer(value(a, "PEER"));
           }),
      spec({"enable", "protocol"}, {peer}, "Start the BGP session with a peer again",
           [](Request& r, const Arguments& a) {
             r.mutable_set_protocol_enabled()->set_peer(value(a, "PEER"));
             r.mutable_set_protocol_enabled()->set_enabled(true);
           }),
      spec({"restart", "protocol"}, {peer}, "Restart the BGP session with a peer",
           [](Request& r, const Arguments& a) {
             r.mutable_restart_protocol()->set_peer(value(a, "PEER"));
           }),
      spec({"withdraw", "vip"}, {vip}, "Hold a VIP withdrawn",
           [](Request& r, const Arguments& a) {
             r.mutable_hold_vip()->set_vip(value(a, "VIP"));
             r.mutable_hold_vip()->set_withdrawn(true);
           }),
      spec({"announce", "vip"}, {vip}, "Release the hold on a VIP",
           [](Request& r, const Arguments& a) { r.mutable_hold_vip()->set_vip(value(a, "VIP")); }),
      spec({"drain"}, {}, "Withdraw every VIP and drain this host",
           [](Request& r, const Arguments&) { r.mutable_drain()->set_drain(true); }),
      spec({"undrain"}, {}, "End the drain",
           [](Request& r, const Arguments&) { r.mutable_drain(); }),
      spec({"down"}, {}, "Stop vipd cleanly",
           [](Request& r, const Arguments&) { r.mutable_down(); }),
  };
}

std::vector<std::string> CommandTable::split(const std::string& line) {
  std::istringstream stream(line);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) {
    words.push_back(word);
  }
  return words;
}

std::expected<ParsedCommand, std::string> CommandTable::parse(const std::string& line) const {
  return parse(split(line));
}

std::expected<ParsedCommand, std::string> CommandTable::parse(
    const std::vector<std::string>& words) const {
  const auto walk = walkKeywords(commands_, words);
  if (!walk.error.empty()) {
    return std::unexpected(walk.error);
  }
  if (walk.command == nullptr) {
    return std::unexpected(kNoSuchCommand);
  }
  auto bound = bindArguments(*walk.command, words, walk.next);
  if (!bound) {
    return std::unexpected(bound.error());
  }
  auto request = walk.command->build(*bound);
  if (!request) {
    return std::unexpected(request.error());
  }
  return ParsedCommand{walk.command, std::move(*bound), std::move(*request)};
}

std::vector<std::string> CommandTable::complete(const std::string& line,
                                                const NameSource& names) const {
  auto words = split(line);
  std::string partial;
  if (!line.empty() && line.back() != ' ' && !words.empty()) {
    partial = words.back();
    words.pop_back();
  }
  const auto walk = walkKeywords(commands_, words);
  if (!walk.error.empty() || (walk.command == nullptr && walk.next < words.size())) {
    return {};
  }
  std::set<std::string> candidates;
  if (walk.next == words.size()) {
    candidates = keywordsAt(commands_, walk.resolved);
  }
  if (walk.command != nullptr) {
    // The argument the partial word would fill: skip the ones the words already filled.
    std::size_t next = walk.next;
    std::string service;
    for (const auto& argument : walk.command->arguments) {
      if (argument.kind == ArgumentKind::Keyword) {
        if (next < words.size() && isPrefix(words[next], argument.text)) {
          ++next;
          continue;
        }
        if (next == words.size()) {
          candidates.insert(argument.text);
        }
        continue;
      }
      if (next < words.size()) {
        if (argument.kind == ArgumentKind::Service) {
          service = words[next];
        }
        ++next;
        continue;
      }
      if (names) {
        for (auto& name : names(argument.kind, service)) {
          candidates.insert(std::move(name));
        }
      }
      break;
    }
  }
  std::vector<std::string> out;
  for (const auto& candidate : candidates) {
    if (candidate.starts_with(partial)) {
      out.push_back(candidate);
    }
  }
  return out;
}

std::vector<std::string> CommandTable::help(const std::string& line) const {
  const auto words = split(line);
  std::vector<std::string> out;
  for (const auto& command : commands_) {
    bool matches = true;
    for (std::size_t i = 0; i < words.size() && i < command.words.size(); ++i) {
      matches = matches && isPrefix(words[i], command.words[i]);
    }
    if (words.size() > command.words.size() &&
        words.size() > command.words.size() + command.arguments.size()) {
      matches = false;
    }
    if (matches) {
      auto usage = command.usage();
      usage.resize(std::max<std::size_t>(usage.size() + 2, 40), ' ');
      out.push_back(usage + command.description);
    }
  }
  return out;
}

}  // namespace vipd::cli
