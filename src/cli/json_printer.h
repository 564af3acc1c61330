// JsonPrinter: a reply as one JSON document for scripts:
//   {"command": "show services", "result": {"code": "RESULT_OK", "message": ""},
//    "services": [...]}
// with one key per kind of frame: status, services, ipvs, ipvs_services, protocols, routes.
// Fields use the .proto's names, every field present; 64-bit counters are strings, as the
// protobuf JSON mapping has them.
#pragma once

#include <string>
#include <vector>

#include "control/control.pb.h"

namespace vipd::cli {

class JsonPrinter {
 public:
  static std::string render(const control::Request& request,
                            const std::vector<control::Reply>& frames);
  static std::string message(const google::protobuf::Message& message);
  // A document for an error vipc found itself (bad command, no connection).
  static std::string error(const std::string& command, const std::string& message);
};

}  // namespace vipd::cli
