// buildConfig: a tree that libyang validated against vipd.yang (defaults made explicit), as
// the plain values of model.h. The schema has already checked every value; what it cannot
// check (an AS path element above 2^32 - 1) comes back as a diagnostic.
#pragma once

#include <libyang/libyang.h>

#include "config/diagnostic.h"
#include "config/model.h"

namespace vipd::config {

Config buildConfig(const lyd_node* tree, Diagnostics& problems);

}  // namespace vipd::config
