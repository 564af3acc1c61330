# The BGP session layer's tests (the codec's are in CMakeLists.txt beside this file).
vipd_unit_test(session_fsm_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_fsm_test.cc
  LIBS vipd_bgp_session)
vipd_unit_test(speaker_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/speaker_test.cc
  LIBS vipd_bgp_session)
vipd_unit_test(session_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_test.cc
  LIBS vipd_bgp_session vipd_asio)
vipd_unit_test(bgp_service_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/bgp_service_test.cc
  LIBS vipd_bgp_session vipd_asio)
vipd_unit_test(attribute_interner_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/attribute_interner_test.cc
  LIBS vipd_bgp_session)
