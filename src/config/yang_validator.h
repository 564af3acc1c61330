// validateConfig: hands a JSON document to libyang (RFC 7951, strict: an unknown member is
// an error) and turns every error it reports into a Diagnostic with the file, the line, the
// data path and what was expected there. libyang stops at its first error; to report more
// than one at once, a failed document is validated again one service at a time.
#pragma once

#include <libyang/libyang.h>

#include <boost/json/value.hpp>
#include <expected>
#include <string>
#include <string_view>

#include "config/diagnostic.h"
#include "config/libyang_handles.h"
#include "config/line_index.h"

namespace vipd::config {

struct ValidationInput {
  std::string_view text;               // what libyang parses
  bool text_is_source = true;          // false: libyang's line numbers mean nothing to the user
  const boost::json::value* document;  // the same document, to resolve paths to lines
  const LineIndex* lines;
  std::string file;
};

// The validated tree with every default made explicit, or all the errors found.
std::expected<DataTree, Diagnostics> validateConfig(const ValidationInput& input);

// What a leaf or leaf-list takes, in words ("one of: rr, wrr, ...", "a whole number in
// 1..65535"), as the diagnostics and the configuration reference say it.
std::string describeLeafType(const lysc_node* node);

// A schema path for a data path: the predicates dropped
// ("/vipd:config/service[name='a']/port" -> "/vipd:config/service/port").
std::string schemaPathOf(std::string_view data_path);

}  // namespace vipd::config
