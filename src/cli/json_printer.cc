#include "cli/json_printer.h"

#include <google/protobuf/util/json_util.h>

#include <map>

#include "control/command_dispatcher.h"

namespace vipd::cli {

namespace {

using control::Reply;

// The document's key for the frames of one kind, and whether they come as a list.
struct Key {
  std::string name;
  bool list;
};

Key keyOf(const Reply& frame) {
  switch (frame.body_case()) {
    case Reply::kStatus:
      return {"status", false};
    case Reply::kService:
      return {"services", true};
    case Reply::kIpvs:
      return {"ipvs", false};
    case Reply::kIpvsService:
      return {"ipvs_services", true};
    case Reply::kPeer:
      return {"protocols", true};
    case Reply::kRoute:
      return {"routes", true};
    default:
      return {"", false};
  }
}

const google::protobuf::Message* bodyOf(const Reply& frame) {
  const auto* field = Reply::descriptor()->FindFieldByNumber(frame.body_case());
  if (field == nullptr) {
    return nullptr;
  }
  return &frame.GetReflection()->GetMessage(frame, field);
}

// The lists a command always has, empty or not, so that scripts need not test for them.
std::vector<std::string> listsOf(const control::Request& request) {
  using R = control::Request;
  switch (request.command_case()) {
    case R::kShowServices:
    case R::kShowServers:
    case R::kShowMonitors:
      return {"services"};
    case R::kShowIpvs:
      return {"ipvs_services"};
    case R::kShowProtocols:
      return {"protocols"};
    case R::kShowRoute:
      return {"routes"};
    default:
      return {};
  }
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string JsonPrinter::message(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string JsonPrinter::render(const control::Request& request, const std::vector<Reply>& frames) {
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, std::string> objects;
  for (const auto& name : listsOf(request)) {
    lists[name];
  }
  for (const auto& frame : frames) {
    const auto key = keyOf(frame);
    const auto* body = bodyOf(frame);
    if (key.name.empty() || body == nullptr) {
      continue;
    }
    if (key.list) {
      lists[key.name].push_back(message(*body));
    } else {
      objects[key.name] = message(*body);
    }
  }
  std::string out = "{\"command\":" + quoted(control::CommandDispatcher::commandName(request));
  out += ",\"result\":" + message(frames.back().result());
  for (const auto& [name, text] : objects) {
    out += "," + quoted(name) + ":" + text;
  }
  for (const auto& [name, items] : lists) {
    out += "," + quoted(name) + ":[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += (i == 0 ? "" : ",") + items[i];
    }
    out += "]";
  }
  return out + "}\n";
}

std::string JsonPrinter::error(const std::string& command, const std::string& text) {
  return "{\"command\":" + quoted(command) +
         ",\"result\":{\"code\":\"RESULT_FAILED\",\"message\":" + quoted(text) + "}}\n";
}

}  // namespace vipd::cli
