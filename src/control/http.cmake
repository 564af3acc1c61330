# The HTTP instrumentation: PyBal's endpoints, Prometheus /metrics and the status page.
# Beast and Asio are confined to http_server.cc; the other files are pure.
add_library(vipd_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/pybal_endpoints.cc
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cc
  ${CMAKE_CURRENT_LIST_DIR}/status_page.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_router.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cc)
target_include_directories(vipd_http PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(vipd_http PUBLIC vipd_common fmt::fmt PRIVATE vipd_asio vipd_warnings)
