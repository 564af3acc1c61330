# Debian 12 packages only; see README.md for the package names.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED COMPONENTS json url CONFIG)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(LIBYANG REQUIRED IMPORTED_TARGET libyang>=2)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-genl-3.0)

# Asio is header-only; this target carries the definitions every Asio user shares.
add_library(vipd_asio INTERFACE)
target_link_libraries(vipd_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(vipd_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)

if(VIPD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(VIPD_BENCH)
  find_package(benchmark REQUIRED)
endif()
