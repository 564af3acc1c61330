# Writes OUTPUT, a C++ source that holds INPUT (vipd.yang) as a raw string literal, so that
# the daemon needs no installed data files. Run at build time by CMakeLists.txt.
file(READ "${INPUT}" text)
set(delimiter "vipd_yang")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )${delimiter}\"")
endif()
set(source "// Generated from vipd.yang by embed_yang.cmake: edit vipd.yang instead.
#include <string_view>

#include \"config/loader.h\"

namespace vipd::config {

std::string_view yangModule() {
  static constexpr char kText[] = R\"${delimiter}(${text})${delimiter}\";
  return {kText, sizeof(kText) - 1};
}

}  // namespace vipd::config
")
file(WRITE "${OUTPUT}.tmp" "${source}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
