#include "config/yang_context.h"

#include <cstdlib>
#include <string>

#include "common/log.h"
#include "config/loader.h"

namespace vipd::config {

namespace {

[[noreturn]] void abortWithLibyangError(const ly_ctx* context, const char* step) {
  const ly_err_item* error = context == nullptr ? nullptr : ly_err_last(context);
  vipd::log::get("config")->critical("built-in yang module unusable step={} error=\"{}\"", step,
                                     error != nullptr && error->msg != nullptr ? error->msg : "");
  std::abort();
}

}  // namespace

const YangContext& YangContext::shared() {
  static const YangContext context;
  return context;
}

YangContext::YangContext() {
  // Keep every error for the caller to collect (the default keeps only the last one) and
  // print none of them: the loader turns them into diagnostics.
  ly_log_options(LY_LOSTORE);

  ly_ctx* raw = nullptr;
  // The parsed nodes stay reachable (lysc_node::priv) for their type names, which the
  // diagnostics and the reference use to say "an IPv4 address" instead of a pattern.
  const std::uint16_t options =
      LY_CTX_NO_YANGLIBRARY | LY_CTX_DISABLE_SEARCHDIRS | LY_CTX_SET_PRIV_PARSED;
  if (ly_ctx_new(nullptr, options, &raw) != LY_SUCCESS) {
    abortWithLibyangError(raw, "context");
  }
  context_.reset(raw);

  const std::string text(yangModule());
  lys_module* module = nullptr;
  if (lys_parse_mem(raw, text.c_str(), LYS_IN_YANG, &module) != LY_SUCCESS) {
    abortWithLibyangError(raw, "parse");
  }
  module_ = module;
  clearErrors();
}

const lysc_node* YangContext::findSchema(std::string_view schema_path) const {
  const std::string path(schema_path);
  const lysc_node* node = lys_find_path(context_.get(), nullptr, path.c_str(), 0);
  clearErrors();
  return node;
}

void YangContext::clearErrors() const {
  ly_err_clean(context_.get(), nullptr);
}

}  // namespace vipd::config
