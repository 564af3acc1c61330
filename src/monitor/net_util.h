// Asio helpers shared by the probes' .cc files; never included from a header, so that Asio
// stays out of every other translation unit.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>

#include "common/ip_address.h"
#include "config/model.h"
#include "monitor/text.h"

namespace vipd::monitor {

// Sockets and timers bound to the io_context's own executor rather than the type-erased
// any_io_executor: 48 bytes less each (a server holds one or two for as long as it is
// monitored), and handlers dispatched without the indirection.
using Executor = boost::asio::io_context::executor_type;
using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using SteadyTimer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;

inline boost::asio::ip::address toAsio(const IpAddress& address) {
  if (address.isV4()) {
    boost::asio::ip::address_v4::bytes_type bytes;
    std::copy_n(address.bytes().begin(), bytes.size(), bytes.begin());
    return boost::asio::ip::address_v4(bytes);
  }
  return boost::asio::ip::address_v6(address.bytes());
}

// "what: connection refused"
inline std::string failure(std::string_view what, const boost::system::error_code& error) {
  std::string text(what);
  text += ": ";
  text += lowerFirst(error.message());
  return text;
}

inline std::chrono::nanoseconds toNanoseconds(config::Seconds seconds) {
  return std::max(std::chrono::duration_cast<std::chrono::nanoseconds>(seconds),
                  std::chrono::nanoseconds::zero());
}

}  // namespace vipd::monitor
