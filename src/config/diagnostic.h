// Diagnostic: one error or warning about configuration input, naming the file, the line
// where it is known and the data path, so that an operator can find and fix it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vipd::config {

struct Diagnostic {
  enum class Severity { Error, Warning };

  Severity severity = Severity::Error;
  std::string file;
  std::optional<int> line;  // 1-based
  std::string path;         // data path, e.g. /vipd:config/service[name='web']/port
  std::string message;      // what was wrong and what was expected

  // "FILE:LINE: error: MESSAGE (at PATH)", leaving out what is unknown.
  std::string format() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace vipd::config
