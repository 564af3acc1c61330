# vipd_bgp_session: the BGP session state machine, its TCP transport and the speaker, on
# top of the wire codec (vipd_bgp_codec). Included at the end of CMakeLists.txt in this
# folder. Asio stays in the .cc files: users of these headers need none of it.
add_library(vipd_bgp_session STATIC
  ${CMAKE_CURRENT_LIST_DIR}/attribute_interner.cc
  ${CMAKE_CURRENT_LIST_DIR}/bgp_service.cc
  ${CMAKE_CURRENT_LIST_DIR}/listener.cc
  ${CMAKE_CURRENT_LIST_DIR}/session.cc
  ${CMAKE_CURRENT_LIST_DIR}/session_fsm.cc
  ${CMAKE_CURRENT_LIST_DIR}/socket_options.cc
  ${CMAKE_CURRENT_LIST_DIR}/speaker.cc
)
target_link_libraries(vipd_bgp_session
  PUBLIC vipd_bgp_codec vipd_common
  PRIVATE vipd_asio vipd_warnings)
