// Owning handles for libyang's C objects, so that every early return frees them.
#pragma once

#include <libyang/libyang.h>

#include <cstdlib>
#include <memory>

namespace vipd::config {

struct LyContextDeleter {
  void operator()(ly_ctx* context) const { ly_ctx_destroy(context); }
};

struct LyDataDeleter {
  void operator()(lyd_node* tree) const { lyd_free_all(tree); }
};

struct MallocDeleter {
  void operator()(char* text) const { std::free(text); }
};

using LyContextPtr = std::unique_ptr<ly_ctx, LyContextDeleter>;
// A validated data tree (all its top-level siblings).
using DataTree = std::unique_ptr<lyd_node, LyDataDeleter>;
// Text that libyang allocated with malloc.
using MallocText = std::unique_ptr<char, MallocDeleter>;

}  // namespace vipd::config
