#include "control/command_dispatcher.h"

#include "common/log.h"
#include "control/frame_codec.h"
#include "control/view_messages.h"

namespace vipd::control {

namespace {

template <typename Setter>
Reply frame(Setter set) {
  Reply reply;
  reply.set_version(kApiVersion);
  reply.set_more(true);
  set(reply);
  return reply;
}

std::vector<Reply> finish(std::vector<Reply> frames, ResultCode code, std::string message) {
  frames.push_back(CommandDispatcher::result(code, std::move(message)));
  return frames;
}

// A VIP given as "192.0.2.10" matches the route "192.0.2.10/32".
bool routeMatches(const std::string& prefix, const std::string& vip) {
  return prefix == vip || prefix.starts_with(vip + "/");
}

std::string describe(const Request& request) {
  switch (request.command_case()) {
    case Request::kConfigureCheck:
      return "file=" + request.configure_check().file();
    case Request::kConfigure:
      return "file=" + request.configure().file();
    case Request::kSetServerEnabled:
      return "service=" + request.set_server_enabled().service() +
             " host=" + request.set_server_enabled().host() +
             " port=" + std::to_string(request.set_server_enabled().port());
    case Request::kSetProtocolEnabled:
      return "peer=" + request.set_protocol_enabled().peer();
    case Request::kRestartProtocol:
      return "peer=" + request.restart_protocol().peer();
    case Request::kHoldVip:
      return "vip=" + request.hold_vip().vip();
    default:
      return {};
  }
}

}  // namespace

CommandDispatcher::CommandDispatcher(DaemonView& view, Clock clock)
    : view_(view),
      clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }) {}

Reply CommandDispatcher::result(ResultCode code, std::string message) {
  Reply reply;
  reply.set_version(kApiVersion);
  reply.set_more(false);
  reply.mutable_result()->set_code(code);
  reply.mutable_result()->set_message(std::move(message));
  return reply;
}

Reply CommandDispatcher::hello(bool read_only) const {
  const auto status = view_.status();
  Reply reply;
  reply.set_version(kApiVersion);
  reply.set_more(false);
  auto* greeting = reply.mutable_hello();
  greeting->set_daemon("vipd");
  greeting->set_daemon_version(status.version);
  greeting->set_hostname(status.hostname);
  greeting->set_read_only(read_only);
  return reply;
}

bool CommandDispatcher::isWriteCommand(const Request& request) {
  switch (request.command_case()) {
    case Request::kShowStatus:
    case Request::kShowServices:
    case Request::kShowServers:
    case Request::kShowMonitors:
    case Request::kShowIpvs:
    case Request::kShowProtocols:
    case Request::kShowRoute:
    case Request::COMMAND_NOT_SET:
      return false;
    default:
      return true;
  }
}

std::string CommandDispatcher::commandName(const Request& request) {
  switch (request.command_case()) {
    case Request::kShowStatus:
      return "show status";
    case Request::kShowServices:
      return "show services";
    case Request::kShowServers:
      return "show servers";
    case Request::kShowMonitors:
      return "show monitors";
    case Request::kShowIpvs:
      return "show ipvs";
    case Request::kShowProtocols:
      return "show protocols";
    case Request::kShowRoute:
      return "show route";
    case Request::kConfigureCheck:
      return "configure check";
    case Request::kConfigure:
      return "configure";
    case Request::kSetServerEnabled:
      return request.set_server_enabled().enabled() ? "enable server" : "disable server";
    case Request::kSetProtocolEnabled:
      return request.set_protocol_enabled().enabled() ? "enable protocol" : "disable protocol";
    case Request::kRestartProtocol:
      return "restart protocol";
    case Request::kHoldVip:
      return request.hold_vip().withdrawn() ? "withdraw vip" : "announce vip";
    case Request::kDrain:
      return request.drain().drain() ? "drain" : "undrain";
    case Request::kDown:
      return "down";
    case Request::COMMAND_NOT_SET:
      break;
  }
  return "unknown";
}

std::vector<Reply> CommandDispatcher::dispatch(const Request& request, const Caller& caller,
                                               bool read_only) {
  if (request.version() != kApiVersion) {
    return {result(RESULT_UNSUPPORTED_VERSION,
                   "this vipd speaks control API version " + std::to_string(kApiVersion) +
                       ", the client version " + std::to_string(request.version()) +
                       ": use the vipc of the same release")};
  }
  if (request.command_case() == Request::COMMAND_NOT_SET) {
    return {result(RESULT_UNKNOWN_COMMAND, "unknown command (is vipc newer than vipd?)")};
  }
  if (!isWriteCommand(request)) {
    return show(request);
  }
  if (read_only) {
    log::get("control")->warn(
        "control command refused command=\"{}\" socket=read-only caller_uid={} caller_pid={}",
        commandName(request), caller.uid, caller.pid);
    return {result(RESULT_FORBIDDEN,
                   "`" + commandName(request) + "` is not allowed on the read-only socket")};
  }
  const auto outcome = write(request, caller);
  logCommand(request, caller, outcome);
  if (!outcome) {
    return {result(RESULT_FAILED, outcome.error())};
  }
  return {result(RESULT_OK, *outcome)};
}

std::vector<Reply> CommandDispatcher::show(const Request& request) {
  switch (request.command_case()) {
    case Request::kShowStatus: {
      const auto status = ViewMessages::status(view_.status(), clock_());
      return finish({frame([&](Reply& r) { *r.mutable_status() = status; })}, RESULT_OK, "");
    }
    case Request::kShowServices:
      return showServices(request.show_services().service(), false);
    case Request::kShowServers:
      return showServices(request.show_servers().service(), true);
    case Request::kShowMonitors:
      return showServices(request.show_monitors().service(), true);
    case Request::kShowIpvs:
      return showIpvs(request.show_ipvs().stats());
    case Request::kShowProtocols:
      return showProtocols(request.show_protocols());
    case Request::kShowRoute:
      return showRoute(request.show_route().vip());
    default:
      return {result(RESULT_UNKNOWN_COMMAND, "unknown command")};
  }
}

std::vector<Reply> CommandDispatcher::showServices(const std::string& name, bool with_servers) {
  std::vector<Reply> frames;
  for (const auto& service : view_.services()) {
    if (!name.empty() && service.name != name) {
      continue;
    }
    frames.push_back(frame(
        [&](Reply& r) { *r.mutable_service() = ViewMessages::service(service, with_servers); }));
  }
  if (!name.empty() && frames.empty()) {
    return finish({}, RESULT_NOT_FOUND, "no service named " + name);
  }
  return finish(std::move(frames), RESULT_OK, "");
}

std::vector<Reply> CommandDispatcher::showIpvs(bool stats) {
  const auto ipvs = view_.ipvs(stats);
  std::vector<Reply> frames;
  frames.push_back(
      frame([&](Reply& r) { *r.mutable_ipvs() = ViewMessages::ipvsSummary(ipvs, stats); }));
  for (const auto& service : ipvs.services) {
    frames.push_back(
        frame([&](Reply& r) { *r.mutable_ipvs_service() = ViewMessages::ipvsService(service); }));
  }
  return finish(std::move(frames), RESULT_OK, "");
}

std::vector<Reply> CommandDispatcher::showProtocols(const ShowProtocols& command) {
  std::vector<Reply> frames;
  for (const auto& peer : view_.peers()) {
    if (!command.peer().empty() && peer.name != command.peer() && peer.address != command.peer()) {
      continue;
    }
    frames.push_back(
        frame([&](Reply& r) { *r.mutable_peer() = ViewMessages::peer(peer, command.all()); }));
  }
  if (!command.peer().empty() && frames.empty()) {
    return finish({}, RESULT_NOT_FOUND, "no protocol named " + command.peer());
  }
  return finish(std::move(frames), RESULT_OK, "");
}

std::vector<Reply> CommandDispatcher::showRoute(const std::string& vip) {
  std::vector<Reply> frames;
  for (const auto& route : view_.routes()) {
    if (!vip.empty() && !routeMatches(route.prefix, vip)) {
      continue;
    }
    frames.push_back(frame([&](Reply& r) { *r.mutable_route() = ViewMessages::route(route); }));
  }
  if (!vip.empty() && frames.empty()) {
    return finish({}, RESULT_NOT_FOUND, "no route for " + vip);
  }
  return finish(std::move(frames), RESULT_OK, "");
}

CommandResult CommandDispatcher::write(const Request& request, const Caller& caller) {
  switch (request.command_case()) {
    case Request::kConfigureCheck:
      return view_.checkConfiguration(request.configure_check().file());
    case Request::kConfigure:
      return view_.reloadConfiguration(request.configure().file(), caller);
    case Request::kSetServerEnabled: {
      const auto& command = request.set_server_enabled();
      if (command.port() > 65535) {
        return std::unexpected("port " + std::to_string(command.port()) + " is out of range");
      }
      std::optional<std::uint16_t> port;
      if (command.port() != 0) {
        port = static_cast<std::uint16_t>(command.port());
      }
      return view_.setServerEnabled(command.service(), command.host(), port, command.enabled(),
                                    caller);
    }
    case Request::kSetProtocolEnabled:
      return view_.setPeerEnabled(request.set_protocol_enabled().peer(),
                                  request.set_protocol_enabled().enabled(), caller);
    case Request::kRestartProtocol:
      return view_.restartPeer(request.restart_protocol().peer(), caller);
    case Request::kHoldVip:
      return view_.holdVip(request.hold_vip().vip(), request.hold_vip().withdrawn(), caller);
    case Request::kDrain:
      return view_.drain(request.drain().drain(), caller);
    case Request::kDown:
      return view_.shutdown(caller);
    default:
      return std::unexpected("unknown command");
  }
}

void CommandDispatcher::logCommand(const Request& request, const Caller& caller,
                                   const CommandResult& outcome) {
  auto logger = log::get("control");
  const auto described = describe(request);
  const auto fields = described.empty() ? described : " " + described;
  const auto who =
      fmt::format("caller_uid={} caller_gid={} caller_pid={}", caller.uid, caller.gid, caller.pid);
  // A refused or failed command is a warning, with the reason.
  const auto level = outcome ? spdlog::level::info : spdlog::level::warn;
  const auto result = outcome ? std::string("ok") : "failed error=\"" + outcome.error() + "\"";
  logger->log(level, "control command command=\"{}\"{} {} outcome={}", commandName(request), fields,
              who, result);
}

}  // namespace vipd::control
