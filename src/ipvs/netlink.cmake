# The netlink backend: IPVS over libnl-3's generic netlink, and its pure message codec.
# Included at the end of CMakeLists.txt in this folder. libnl and Asio stay out of the
# headers: users of vipd_ipvs_netlink need neither.
add_library(vipd_ipvs_netlink STATIC
  ${CMAKE_CURRENT_LIST_DIR}/netlink_messages.cc
  ${CMAKE_CURRENT_LIST_DIR}/netlink_backend.cc)
target_link_libraries(vipd_ipvs_netlink
  PUBLIC vipd_ipvs
  PRIVATE PkgConfig::LIBNL vipd_asio vipd_warnings)
