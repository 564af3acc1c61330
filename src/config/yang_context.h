// YangContext: the one libyang context that holds the built-in vipd.yang (and the
// ietf-inet-types module libyang ships inside itself). Built once, on first use, and
// reused by every load and reload; nothing is read from disk.
#pragma once

#include <libyang/libyang.h>

#include <string_view>

#include "config/libyang_handles.h"

namespace vipd::config {

class YangContext {
 public:
  // The process's context. The built-in module failing to compile is a broken build: it
  // logs and aborts.
  static const YangContext& shared();

  ly_ctx* get() const { return context_.get(); }
  const lys_module* module() const { return module_; }

  // The compiled schema node of a schema path without predicates ("/vipd:config/service"),
  // or nullptr.
  const lysc_node* findSchema(std::string_view schema_path) const;

  // Drops the errors libyang stored in the context: before and after each parse.
  void clearErrors() const;

 private:
  YangContext();

  LyContextPtr context_;
  const lys_module* module_ = nullptr;
};

}  // namespace vipd::config
