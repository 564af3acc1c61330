// CommandTable: vipc's commands, parsed as birdc parses its own: each keyword may be
// abbreviated to any unambiguous prefix (`sh servi` is `show services`); an ambiguous one
// is an error that lists the candidates. It also answers tab completion and `?` help.
// Pure: no I/O; names (services, servers, peers) come from a NameSource.
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "control/control.pb.h"

namespace vipd::cli {

enum class ArgumentKind { Keyword, Service, Server, Peer, Vip, File };

struct Argument {
  ArgumentKind kind;
  std::string text;  // the keyword, or the placeholder shown in help ("SERVICE")
  bool optional = false;
};

using Arguments = std::map<std::string, std::string>;  // placeholder or keyword -> value

struct CommandSpec {
  std::vector<std::string> words;
  std::vector<Argument> arguments;
  std::string description;
  std::function<std::expected<control::Request, std::string>(const Arguments&)> build;

  std::string usage() const;
};

struct ParsedCommand {
  const CommandSpec* spec = nullptr;
  Arguments arguments;
  control::Request request;
};

// The names that complete an argument; `service` is the service named earlier on the line.
using NameSource = std::function<std::vector<std::string>(ArgumentKind, const std::string&)>;

class CommandTable {
 public:
  CommandTable();

  // The command a line means, with its request, or the error to show.
  std::expected<ParsedCommand, std::string> parse(const std::vector<std::string>& words) const;
  std::expected<ParsedCommand, std::string> parse(const std::string& line) const;

  // The words that may replace the last (possibly empty) word of `line`.
  std::vector<std::string> complete(const std::string& line, const NameSource& names) const;
  // `?`: the usage and description of every command the line may still become.
  std::vector<std::string> help(const std::string& line) const;

  const std::vector<CommandSpec>& commands() const { return commands_; }

  static std::vector<std::string> split(const std::string& line);

 private:
  std::vector<CommandSpec> commands_;
};

}  // namespace vipd::cli
