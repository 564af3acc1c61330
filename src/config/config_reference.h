// configurationReference: docs/configuration-reference.md, the reference of every
// configuration node with its type, default and meaning, generated from the YANG module built
// into vipd (scripts/gen-config-reference prints it; a test checks the committed copy).
#pragma once

#include <string>

namespace vipd::config {

std::string configurationReference();

}  // namespace vipd::config
