#include "control/pybal_endpoints.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace vipd::control {

namespace {

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kTextType = "text/plain";
constexpr std::string_view kNotFound = "The desired url was not found";

EndpointReply reply(BodyFormat format, std::string body, unsigned status = 200) {
  return EndpointReply{status, std::string(format == BodyFormat::Json ? kJsonType : kTextType),
                       std::move(body)};
}

// Decodes one UTF-8 sequence at `at`; on a malformed one, takes the byte as Latin-1.
std::uint32_t nextCodePoint(std::string_view text, std::size_t& at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (length == 1 || at + length > text.size()) {
    ++at;
    return lead;
  }

  std::uint32_t code = lead & (0x3F >> (length - 1));
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) {
      ++at;
      return lead;
    }
    code = (code << 6) | (next & 0x3F);
  }
  at += length;
  return code;
}

void appendEscaped(std::string& out, std::uint32_t code) {
  if (code < 0x10000) {
    out += fmt::format("\\u{:04x}", code);
    return;
  }
  // Python writes characters beyond the BMP as a surrogate pair.
  code -= 0x10000;
  out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF));
}

std::string jsonBool(bool value) {
  return value ? "true" : "false";
}

bool isUp(const ServerView& server) {
  return server.health == "up";
}

bool isEnabled(const ServerView& server) {
  return server.enabled && !server.operator_disabled;
}

// PyBal's state of a server: the keys in the order Python 2's dict iterates them.
std::string serverJson(const ServerView& server) {
  return fmt::format(R"({{"pooled": {}, "enabled": {}, "up": {}, "weight": {}}})",
                     jsonBool(server.pooled), jsonBool(isEnabled(server)), jsonBool(isUp(server)),
                     server.weight);
}

std::vector<ServiceView> sortedByName(std::vector<ServiceView> services) {
  std::ranges::sort(services, {}, &ServiceView::name);
  return services;
}

std::vector<const ServerView*> sortedServers(const ServiceView& service) {
  std::vector<const ServerView*> servers;
  for (const auto& server : service.server_list) {
    servers.push_back(&server);
  }
  std::ranges::stable_sort(servers, {}, &ServerView::host);
  return servers;
}

std::string percentDecode(std::string_view segment) {
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size() &&
        std::isxdigit(static_cast<unsigned char>(segment[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(segment[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(segment.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += segment[i];
    }
  }
  return out;
}

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> segments;
  if (path.starts_with('/')) {
    path.remove_prefix(1);
  }
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(percentDecode(path.substr(0, slash)));
    if (slash == std::string_view::npos) {
      return segments;
    }
    path.remove_prefix(slash + 1);
  }
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string upperCase(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

}  // namespace

std::optional<EndpointReply> PybalEndpoints::answer(std::string_view path,
                                                    BodyFormat format) const {
  const auto segments = splitPath(path);
  if (segments.front() == "alerts") {
    return alerts(view_.services(), format);
  }
  if (segments.front() == "pools") {
    return answerPools(segments, format);
  }
  return std::nullopt;
}

std::optional<EndpointReply> PybalEndpoints::answerPools(const std::vector<std::string>& segments,
                                                         BodyFormat format) const {
  const auto services = view_.services();
  if (segments.size() == 1 || (segments.size() == 2 && segments[1].empty())) {
    return pools(services, format);
  }

  const auto service = std::ranges::find(services, segments[1], &ServiceView::name);
  if (service == services.end()) {
    return notFound(format);
  }
  if (segments.size() == 2 || (segments.size() == 3 && segments[2].empty())) {
    return pool(*service, format);
  }

  // PyBal's host resource is a leaf: whatever follows the host name is ignored.
  const auto& list = service->server_list;
  const auto host = std::ranges::find(list, segments[2], &ServerView::host);
  if (host == list.end()) {
    return notFound(format);
  }
  return server(*host, format);
}

EndpointReply PybalEndpoints::notFound(BodyFormat format) {
  if (format == BodyFormat::Json) {
    return reply(format, fmt::format(R"({{"error": {}}})", pythonJsonString(kNotFound)), 404);
  }
  return reply(format, std::string(kNotFound), 404);
}

bool PybalEndpoints::wantsJson(const std::vector<std::string>& accept_values) {
  for (const auto& value : accept_values) {
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      auto range = rest.substr(0, comma);
      range = range.substr(0, range.find(';'));
      const auto first = range.find_first_not_of(" \t");
      const auto last = range.find_last_not_of(" \t");
      if (first != std::string_view::npos &&
          lowerCase(range.substr(first, last - first + 1)) == kJsonType) {
        return true;
      }
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return false;
}

std::string PybalEndpoints::pythonJsonString(std::string_view text) {
  std::string out = "\"";
  std::size_t at = 0;
  while (at < text.size()) {
    const auto code = nextCodePoint(text, at);
    switch (code) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (code >= 0x20 && code <= 0x7E) {
          out += static_cast<char>(code);
        } else {
          appendEscaped(out, code);
        }
    }
  }
  return out + "\"";
}

EndpointReply PybalEndpoints::pools(const std::vector<ServiceView>& services, BodyFormat format) {
  const auto sorted = sortedByName(services);
  std::string body;
  if (format == BodyFormat::Json) {
    body = "[";
    for (const auto& service : sorted) {
      body += (body.size() > 1 ? ", " : "") + pythonJsonString(service.name);
    }
    return reply(format, body + "]");
  }

  for (std::size_t i = 0; i < sorted.size(); ++i) {
    body += (i > 0 ? "\n" : "") + sorted[i].name;
  }
  return reply(format, body + "\n");
}

EndpointReply PybalEndpoints::pool(const ServiceView& service, BodyFormat format) {
  std::string body;
  if (format == BodyFormat::Json) {
    body = "{";
    for (const auto* server : sortedServers(service)) {
      body += (body.size() > 1 ? ", " : "") + pythonJsonString(server->host) + ": " +
              serverJson(*server);
    }
    return reply(format, body + "}");
  }

  for (const auto* server : sortedServers(service)) {
    body += fmt::format("{}:\t{}\n", server->host, textStatus(*server));
  }
  return reply(format, body);
}

EndpointReply PybalEndpoints::server(const ServerView& server, BodyFormat format) {
  if (format == BodyFormat::Json) {
    return reply(format, serverJson(server));
  }
  return reply(format, textStatus(server) + "\n");
}

EndpointReply PybalEndpoints::alerts(const std::vector<ServiceView>& services, BodyFormat format) {
  std::string status = "ok";
  std::string warnings;
  std::vector<std::string> critical;
  for (const auto& service : sortedByName(services)) {
    std::vector<std::string> pooled_down;
    for (const auto* server : sortedServers(service)) {
      if (server->pooled && !isUp(*server)) {
        pooled_down.push_back(server->host);
      }
    }

    const auto total = static_cast<double>(service.servers);
    if (!pooled_down.empty()) {
      critical.push_back(fmt::format("{}: Servers {} are marked down but pooled", service.name,
                                     fmt::join(pooled_down, ", ")));
    } else if (total < total * service.depool_threshold + 1) {
      status = "warning";
      warnings += fmt::format("Pool {} is too small to allow depooling. ", service.name);
    }
  }

  std::string message = warnings;
  if (!critical.empty()) {
    status = "critical";
    message = fmt::format("{}", fmt::join(critical, "; "));
  }
  if (status == "ok") {
    message = "All pools are healthy";
  }

  if (format == BodyFormat::Json) {
    return reply(format, fmt::format(R"({{"status": {}, "msg": {}}})", pythonJsonString(status),
                                     pythonJsonString(message)));
  }
  return reply(format, fmt::format("{} - {}", upperCase(status), message));
}

std::string PybalEndpoints::textStatus(const ServerView& server) {
  std::string health = "down";
  if (isUp(server)) {
    health = "up";
  } else {
    // PyBal's "partially up": some monitor says up (or there is no monitor at all).
    const bool partial =
        server.monitors.empty() ||
        std::ranges::any_of(server.monitors, [](const auto& m) { return m.verdict == "up"; });
    health = partial ? "partially up" : "down";
  }
  return fmt::format("{}/{}/{}", isEnabled(server) ? "enabled" : "disabled", health,
                     server.pooled ? "pooled" : "not pooled");
}

}  // namespace vipd::control
