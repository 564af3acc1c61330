#include "config/document_loader.h"

#include <utility>

#include "config/config_checks.h"
#include "config/model_builder.h"
#include "config/normalized_json.h"
#include "config/yang_validator.h"

namespace vipd::config {

namespace {

Diagnostics withWarnings(Diagnostics errors, const Diagnostics& warnings) {
  errors.insert(errors.end(), warnings.begin(), warnings.end());
  return errors;
}

}  // namespace

std::expected<Loaded, Diagnostics> loadDocument(const Document& document) {
  const ValidationInput input{document.text, document.text_is_source, &document.value,
                              &document.lines, document.file};
  auto tree = validateConfig(input);
  if (!tree) {
    return std::unexpected(withWarnings(std::move(tree.error()), document.warnings));
  }

  Diagnostics found;
  Loaded loaded;
  loaded.config = buildConfig(tree->get(), found);
  loaded.config.origin = document.origin;
  loaded.config.source_file = document.file;

  const LineOfPath line_of = [&document](std::string_view path) {
    return document.lines.lineOfDataPath(path, document.value);
  };
  const Diagnostics checked = checkConfig(loaded.config, line_of);
  found.insert(found.end(), checked.begin(), checked.end());

  Diagnostics errors;
  loaded.warnings = document.warnings;
  for (Diagnostic& diagnostic : found) {
    diagnostic.file = document.file;
    diagnostic.line = line_of(diagnostic.path);
    auto& list = diagnostic.severity == Diagnostic::Severity::Error ? errors : loaded.warnings;
    list.push_back(std::move(diagnostic));
  }
  if (!errors.empty()) {
    return std::unexpected(withWarnings(std::move(errors), loaded.warnings));
  }
  loaded.normalized_json = normalizedJson(tree->get());
  return loaded;
}

}  // namespace vipd::config
