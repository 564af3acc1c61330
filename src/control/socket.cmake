# The control socket: the API (control.proto), its framing, the dispatcher and the server.
find_package(Protobuf REQUIRED)

set(VIPD_CONTROL_PROTO_OUT ${CMAKE_CURRENT_BINARY_DIR}/generated)
add_custom_command(
  OUTPUT ${VIPD_CONTROL_PROTO_OUT}/control/control.pb.h
    ${VIPD_CONTROL_PROTO_OUT}/control/control.pb.cc
  COMMAND ${CMAKE_COMMAND} -E make_directory ${VIPD_CONTROL_PROTO_OUT}
  COMMAND protobuf::protoc --cpp_out=${VIPD_CONTROL_PROTO_OUT} -I ${PROJECT_SOURCE_DIR}/src
    ${CMAKE_CURRENT_SOURCE_DIR}/control.proto
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/control.proto protobuf::protoc
  COMMENT "protoc control.proto"
  VERBATIM)

# Generated code is compiled without the project's warnings; its header is a system one.
add_library(vipd_control_proto STATIC ${VIPD_CONTROL_PROTO_OUT}/control/control.pb.cc
  frame_codec.cc)
target_include_directories(vipd_control_proto SYSTEM PUBLIC ${VIPD_CONTROL_PROTO_OUT})
target_include_directories(vipd_control_proto PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(vipd_control_proto PUBLIC protobuf::libprotobuf)
set_source_files_properties(frame_codec.cc PROPERTIES COMPILE_OPTIONS
  "-Wall;-Wextra;-Werror;-Wconversion;-Wsign-conversion;-Wshadow")

add_library(vipd_control STATIC command_dispatcher.cc view_messages.cc control_server.cc)
target_link_libraries(vipd_control PUBLIC vipd_control_proto vipd_common PRIVATE vipd_asio
  vipd_warnings)
