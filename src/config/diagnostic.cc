#include "config/diagnostic.h"

namespace vipd::config {

std::string Diagnostic::format() const {
  std::string text = file;
  if (line) {
    text += (text.empty() ? "line " : ":") + std::to_string(*line);
  }
  if (!text.empty()) {
    text += ": ";
  }
  text += severity == Severity::Error ? "error: " : "warning: ";
  text += message;
  if (!path.empty()) {
    text += " (at " + path + ")";
  }
  return text;
}

}  // namespace vipd::config
