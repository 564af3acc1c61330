#include "config/loader.h"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "config/document_loader.h"
#include "config/file_reader.h"
#include "config/json_text.h"

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

}  // namespace vipd::config
