// loadDocument: the one path from a JSON document (the native file, or what the PyBal
// import made of pybal.conf) to a Loaded configuration: libyang validation, the model,
// vipd's own checks, the normalized JSON. Every diagnostic gets the file and, through the
// document's LineIndex, the line the operator wrote.
#pragma once

#include <boost/json/value.hpp>
#include <expected>
#include <string>

#include "config/diagnostic.h"
#include "config/line_index.h"
#include "config/loader.h"

namespace vipd::config {

struct Document {
  std::string text;            // the JSON handed to libyang
  bool text_is_source = true;  // false: translated, libyang's line numbers mean nothing
  boost::json::value value;    // the same document
  LineIndex lines;             // JSON pointer -> line of the source file
  std::string file;            // the source file, for diagnostics
  Origin origin = Origin::Native;
  Diagnostics warnings;  // found while making the document (PyBal import)
};

// On failure the diagnostics hold every error, followed by the warnings.
std::expected<Loaded, Diagnostics> loadDocument(const Document& document);

}  // namespace vipd::config
