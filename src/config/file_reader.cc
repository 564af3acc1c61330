#include "config/file_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "config/text_checks.h"

namespace vipd::config {

std::expected<std::string, Diagnostic> readInputFile(const std::filesystem::path& file) {
  const auto failure = [&file](std::string message) {
    return std::unexpected(
        Diagnostic{Diagnostic::Severity::Error, file.string(), std::nullopt, "", message});
  };
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (error) {
    return failure("cannot read the file: " + error.message());
  }
  if (!std::filesystem::is_regular_file(status)) {
    return failure("cannot read the file: it is not a regular file");
  }
  const auto size = std::filesystem::file_size(file, error);
  if (!error && size > kMaxInputBytes) {
    return failure("the file is larger than 16 MiB");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return failure(std::string("cannot read the file: ") + std::strerror(errno));
  }
  std::string text;
  // One byte more than expected, so that a file that grew past the limit meanwhile is caught.
  text.resize((error ? kMaxInputBytes : std::min<std::uintmax_t>(size, kMaxInputBytes)) + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    return failure(std::string("cannot read the file: ") + std::strerror(errno));
  }
  if (text.size() > kMaxInputBytes) {
    return failure("the file is larger than 16 MiB");
  }
  return text;
}

}  // namespace vipd::config
