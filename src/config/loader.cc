#include "config/loader.h"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "config/document_loader.h"
#include "config/file_reader.h"
#include "config/ini_file.h"
#include "config/json_text.h"
#include "config/pybal_import.h"

namespace vipd::config {

std::expected<Loaded, Diagnostics> parseNativeConfig(std::string_view text,
                                                     const std::string& file) {
  auto json = parseJsonText(text, file);
  if (!json) {
    return std::unexpected(std::move(json.error()));
  }
  Document document;
  document.text = std::string(text);
  document.value = std::move(json->value);
  document.lines = std::move(json->lines);
  document.file = file;
  document.origin = Origin::Native;
  return loadDocument(document);
}

std::expected<Loaded, Diagnostics> loadNativeConfig(const std::filesystem::path& file) {
  auto text = readInputFile(file);
  if (!text) {
    return std::unexpected(Diagnostics{std::move(text.error())});
  }
  return parseNativeConfig(*text, file.string());
}

std::expected<Loaded, Diagnostics> parsePybalConfig(std::string_view text,
                                                    const std::string& file) {
  auto ini = parseIni(text, file);
  if (!ini) {
    return std::unexpected(std::move(ini.error()));
  }
  PybalTranslation translation = translatePybal(*ini, file);
  if (!translation.errors.empty()) {
    Diagnostics all = std::move(translation.errors);
    const Diagnostics& warnings = translation.document.warnings;
    all.insert(all.end(), warnings.begin(), warnings.end());
    return std::unexpected(std::move(all));
  }
  return loadDocument(translation.document);
}

std::expected<Loaded, Diagnostics> loadPybalConfig(const std::filesystem::path& file) {
  auto text = readInputFile(file);
  if (!text) {
    return std::unexpected(Diagnostics{std::move(text.error())});
  }
  return parsePybalConfig(*text, file.string());
}

}  // namespace vipd::config
