# Every target of the project compiles with these; warnings are errors.
add_library(vipd_warnings INTERFACE)
target_compile_options(vipd_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wimplicit-fallthrough -Wformat=2)

if(VIPD_SANITIZE)
  # -O0: with both sanitizers, -O1 triples the compile time of the Asio files.
  add_compile_options(-O0 -g -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# g++ 12's optimiser reports -Wrestrict and -Wnull-dereference inside libstdc++'s string
# code and Asio that are not in vipd's code (false positives seen at -O2 and -O3). They stay
# errors in the unoptimised test build, where they are reliable.
if(NOT VIPD_SANITIZE AND CMAKE_BUILD_TYPE MATCHES "Release|RelWithDebInfo|MinSizeRel")
  target_compile_options(vipd_warnings INTERFACE -Wno-error=restrict -Wno-error=null-dereference)
endif()
