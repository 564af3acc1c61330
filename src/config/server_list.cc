#include "config/server_list.h"

#include <boost/json.hpp>
#include <map>
#include <utility>

#include "config/file_reader.h"
#include "config/json_text.h"
#include "config/python_literal.h"
#include "config/text_checks.h"

namespace vipd::config {

namespace {

constexpr std::size_t kMaxLineBytes = 64 * 1024;
constexpr std::int64_t kMaxWeight = 65535;

class ServerListBuilder {
 public:
  explicit ServerListBuilder(const std::string& file) : file_(file) {}

  void error(int line, std::string message) {
    errors_.push_back({Diagnostic::Severity::Error, file_, line, "", std::move(message)});
  }

  // Adds a server unless its host was listed before.
  void add(ServerConfig server, int line) {
    const auto [it, inserted] = lines_.emplace(server.host, line);
    if (!inserted) {
      error(line, "host " + server.host + " is listed twice: first at line " +
                      std::to_string(it->second) + ", again at line " + std::to_string(line));
      return;
    }
    servers_.push_back(std::move(server));
  }

  std::expected<std::vector<ServerConfig>, Diagnostics> result() {
    if (!errors_.empty()) {
      return std::unexpected(std::move(errors_));
    }
    return std::move(servers_);
  }

 private:
  const std::string& file_;
  std::vector<ServerConfig> servers_;
  std::map<std::string, int> lines_;
  Diagnostics errors_;
};

// A host name or numeric address as IPVS and DNS can take it.
std::optional<std::string> hostProblem(const std::string& host) {
  if (host.empty()) {
    return "the host is empty";
  }
  if (host.size() > 253) {
    return "the host is longer than 253 characters";
  }
  if (host.find_first_of(" \t\r\n/[]") != std::string::npos) {
    return "the host \"" + host + "\" holds a space, a slash or a bracket";
  }
  return std::nullopt;
}

// One line of PyBal's format: {'host': 'cp1001', 'weight': 10, 'enabled': True}.
void parsePythonLine(std::string_view text, int line, ServerListBuilder& out) {
  const auto value = parsePythonLiteral(text);
  if (!value) {
    out.error(line, "column " + std::to_string(value.error().column) +
                        ": not a Python dict literal: " + value.error().message);
    return;
  }
  if (value->kind != PyValue::Kind::Dict) {
    out.error(line,
              "expected a dict such as {'host': 'name', 'weight': 10, 'enabled': True}, "
              "found " +
                  value->describe());
    return;
  }
  ServerConfig server;
  const PyValue* host = value->find("host");
  if (host == nullptr || host->kind != PyValue::Kind::String) {
    out.error(line, host == nullptr ? "the dict has no 'host'"
                                    : "'host' is " + host->describe() + ", expected a string");
    return;
  }
  server.host = host->text;
  if (const auto problem = hostProblem(server.host)) {
    out.error(line, *problem);
    return;
  }
  if (const PyValue* weight = value->find("weight")) {
    if (weight->kind != PyValue::Kind::Int || weight->integer < 0 || weight->integer > kMaxWeight) {
      out.error(line,
                "'weight' is " + weight->describe() + ", expected a whole number in 0..65535");
      return;
    }
    server.weight = static_cast<std::uint32_t>(weight->integer);
  }
  if (const PyValue* enabled = value->find("enabled")) {
    if (enabled->kind != PyValue::Kind::Bool) {
      out.error(line, "'enabled' is " + enabled->describe() + ", expected True or False");
      return;
    }
    server.enabled = enabled->boolean;
  }
  // PyBal ignores any other key; so does vipd.
  out.add(std::move(server), line);
}

void parsePythonLines(std::string_view text, ServerListBuilder& out) {
  int line = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    ++line;
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view content = text.substr(start, end - start);
    start = end + 1;
    if (content.size() > kMaxLineBytes) {
      out.error(line, "the line is longer than 64 KiB; it was not parsed");
      continue;
    }
    const std::size_t first = content.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || content[first] == '#') {
      continue;
    }
    parsePythonLine(content, line, out);
  }
}

// The .json form: {"cp1001.example.net": {"enabled": true, "weight": 10}, ...}.
void parseJsonList(std::string_view text, const std::string& file, ServerListBuilder& out) {
  auto json = parseJsonText(text, file);
  if (!json) {
    for (Diagnostic& error : json.error()) {
      out.error(error.line.value_or(1), std::move(error.message));
    }
    return;
  }
  const auto* object = json->value.if_object();
  if (object == nullptr) {
    out.error(1, "expected a JSON object of host -> {\"enabled\": bool, \"weight\": int}");
    return;
  }
  for (const auto& [key, entry] : *object) {
    ServerConfig server;
    server.host = std::string(key);
    const std::string pointer = "/" + LineIndex::escapeToken(server.host);
    const int line = json->lines.lineOfPointer(pointer).value_or(1);
    if (const auto problem = hostProblem(server.host)) {
      out.error(line, *problem);
      continue;
    }
    const auto* fields = entry.if_object();
    if (fields == nullptr) {
      out.error(line, "host " + server.host + ": expected an object with enabled and weight");
      continue;
    }
    if (const auto* weight = fields->if_contains("weight")) {
      const auto number = weight->is_int64() ? std::optional(weight->get_int64()) : std::nullopt;
      if (!number || *number < 0 || *number > kMaxWeight) {
        out.error(line, "host " + server.host + ": weight must be a whole number in 0..65535");
        continue;
      }
      server.weight = static_cast<std::uint32_t>(*number);
    }
    if (const auto* enabled = fields->if_contains("enabled")) {
      if (!enabled->is_bool()) {
        out.error(line, "host " + server.host + ": enabled must be true or false");
        continue;
      }
      server.enabled = enabled->get_bool();
    }
    out.add(std::move(server), line);
  }
}

}  // namespace

ServerListFormat serverListFormatFor(const std::filesystem::path& file) {
  return file.extension() == ".json" ? ServerListFormat::Json : ServerListFormat::PythonLines;
}

std::expected<std::vector<ServerConfig>, Diagnostics> parseServerList(std::string_view text,
                                                                      ServerListFormat format,
                                                                      const std::string& file) {
  ServerListBuilder builder(file);
  if (const auto problem = checkText(text)) {
    builder.error(problem->line, problem->message);
    return builder.result();
  }
  if (format == ServerListFormat::Json) {
    parseJsonList(text, file, builder);
  } else {
    parsePythonLines(text, builder);
  }
  return builder.result();
}

std::expected<std::vector<ServerConfig>, Diagnostics> readServerList(
    const std::filesystem::path& file) {
  auto text = readInputFile(file);
  if (!text) {
    return std::unexpected(Diagnostics{std::move(text.error())});
  }
  return parseServerList(*text, serverListFormatFor(file), file.string());
}

std::expected<std::filesystem::path, std::string> filePathOfUrl(std::string_view url) {
  constexpr std::string_view kScheme = "file:";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return std::unexpected("only file: server lists can be read, not " + std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);  // file:///abs keeps its slash; file://name is relative
  }
  if (rest.empty()) {
    return std::unexpected("the URL " + std::string(url) + " names no file");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return std::unexpected("the URL " + std::string(url) + " has a query or fragment");
  }
  return std::filesystem::path(rest);
}

std::expected<std::filesystem::path, std::string> resolveServerListPath(
    std::string_view url, const std::filesystem::path& config_dir) {
  auto path = filePathOfUrl(url);
  if (!path || path->is_absolute()) {
    return path;
  }
  return config_dir / *path;
}

}  // namespace vipd::config
