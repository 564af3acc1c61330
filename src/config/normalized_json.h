// normalizedJson: a validated tree as RFC 7951 JSON for `vipd --check-config`: every default
// written out, members in schema order, list entries sorted by their keys and the values of
// a leaf-list that is not ordered by the user sorted too, indented by two spaces. Two
// configurations that mean the same print the same.
#pragma once

#include <libyang/libyang.h>

#include <boost/json/value.hpp>
#include <string>

namespace vipd::config {

std::string normalizedJson(const lyd_node* tree);

// Indented JSON text of any value, members in their order, ending in a newline.
std::string prettyJson(const boost::json::value& value);

}  // namespace vipd::config
