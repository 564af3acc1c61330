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
