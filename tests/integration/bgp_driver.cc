// bgp_driver: vipd's BGP speaker (BgpService) alone, for the interop tests. VIPs, peers and
// attributes come from the command line; health changes and commands come on stdin, one a
// line, so that a test script decides when each happens:
//
//   up VIP | down VIP    the VIP's one service has all (none) of its 2 servers up
//   up-all               every VIP's service has its 2 servers up
//   keep N               a reload that keeps the first N VIPs of the command line (--vip
//                        ones first, then --many-vips ones) and removes the others
//   startup              start-up is done: healthy VIPs are announced
//   drain | undrain      graceful shutdown (RFC 8326) and back
//   status               prints "peer=NAME state=STATE enabled=0|1 established=TIMES ..."
//                        per peer on stdout
//   routes               prints "vip=V prefix=P peer=NAME announced=0|1 state=S hold=0|1"
//   disable PEER | enable PEER | restart PEER      as vipc's disable/enable/restart protocol
//   withdraw VIP | announce VIP                    as vipc's withdraw/announce vip
//                        each prints vipc's reply, errors as "error: TEXT"
//   stop                 stops the speaker as the daemon would, then exits
//
// Each command is answered "ok" on stdout once done. Logs go to stderr.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <charconv>
#include <cstdio>
#include <expected>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bgp/bgp_service.h"
#include "bgp/communities.h"
#include "common/log.h"

namespace {

using namespace vipd;
using namespace vipd::bgp;

struct Options {
  SpeakerSettings speaker;
  RouteAttributes global;
  std::vector<VipPolicy> vips;
};

VipPolicy hostVip(const std::string& prefix) {
  VipPolicy vip;
  vip.name = prefix;
  vip.prefixes.push_back(*Prefix::parse(prefix));
  return vip;
}

// count VIPs 198.19.0.0/32 and up: enough for a decision to be sent in parts.
void addManyVips(std::uint32_t count, std::vector<VipPolicy>& vips) {
  for (std::uint32_t k = 0; k < count; ++k) {
    vips.push_back(
        hostVip("198.19." + std::to_string(k / 256) + "." + std::to_string(k % 256) + "/32"));
  }
}

std::uint32_t number(const std::string& text) {
  std::uint32_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::vector<std::uint32_t> numbers(const std::string& text, char separator) {
  std::vector<std::uint32_t> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, separator)) {
    if (!part.empty()) {
      out.push_back(number(part));
    }
  }
  return out;
}

IpAddress address(const std::string& text) {
  const auto parsed = IpAddress::parse(text);
  if (!parsed) {
    std::cerr << "bad address: " << text << "\n";
    std::exit(2);
  }
  return *parsed;
}

// A flag about the last --peer; false when it is none of them.
bool parsePeerFlag(const std::string& flag, const std::string& value, PeerSettings& peer) {
  if (flag == "--peer-port") {
    peer.port = static_cast<std::uint16_t>(number(value));
  } else if (flag == "--peer-as") {
    peer.peer_as = number(value);
  } else if (flag == "--local-address") {
    peer.local_address = address(value);
  } else if (flag == "--local-port") {
    peer.local_port = static_cast<std::uint16_t>(number(value));
  } else if (flag == "--hold-time") {
    peer.hold_time = Seconds{number(value)};
  } else if (flag == "--md5") {
    peer.md5_password = value;
  } else if (flag == "--ttl-security") {
    peer.ttl_security_hops = static_cast<std::uint8_t>(number(value));
  } else {
    return false;
  }
  return true;
}

// --peer ADDR starts a peer; the peer options after it apply to it.
bool parse(int argc, char** argv, Options& options) {
  options.speaker.listen_port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--graceful-restart") {
      options.speaker.graceful_restart.enabled = true;
      continue;
    }
    if (flag == "--drain-on-stop") {
      options.speaker.drain_on_stop = true;
      continue;
    }
    if (flag == "--passive") {
      options.speaker.peers.back().passive = true;
      continue;
    }
    if (i + 1 >= argc) {
      return false;
    }
    const std::string value = argv[++i];
    PeerSettings* peer = options.speaker.peers.empty() ? nullptr : &options.speaker.peers.back();
    if (flag == "--local-as") {
      options.speaker.local_as = number(value);
    } else if (flag == "--router-id") {
      const auto b = address(value).bytes();
      options.speaker.router_id = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                                  (std::uint32_t{b[2]} << 8) | b[3];
    } else if (flag == "--listen") {
      options.speaker.listen_addresses.push_back(address(value));
    } else if (flag == "--listen-port") {
      options.speaker.listen_port = static_cast<std::uint16_t>(number(value));
    } else if (flag == "--hold-down") {
      options.speaker.hold_down = Seconds{number(value)};
    } else if (flag == "--drain-time") {
      options.speaker.drain_time = Seconds{number(value)};
    } else if (flag == "--vip") {
      options.vips.push_back(hostVip(value));
    } else if (flag == "--many-vips") {
      addManyVips(number(value), options.vips);
    } else if (flag == "--med") {
      options.global.med = number(value);
    } else if (flag == "--as-path") {
      options.global.as_path = numbers(value, ' ');
    } else if (flag == "--community") {
      const auto parts = numbers(value, ':');
      options.global.communities.push_back(Community::of(static_cast<std::uint16_t>(parts.at(0)),
                                                         static_cast<std::uint16_t>(parts.at(1))));
    } else if (flag == "--large-community") {
      const auto parts = numbers(value, ':');
      options.global.large_communities.push_back({parts.at(0), parts.at(1), parts.at(2)});
    } else if (flag == "--next-hop-ipv4") {
      options.global.next_hop_ipv4 = address(value);
    } else if (flag == "--next-hop-ipv6") {
      options.global.next_hop_ipv6 = address(value);
    } else if (flag == "--peer") {
      PeerSettings added;
      added.address = address(value);
      added.name = value;
      added.connect_retry_time = Seconds{1};
      added.idle_hold_time = Seconds{1};
      added.max_idle_hold_time = Seconds{4};
      options.speaker.peers.push_back(added);
    } else if (peer != nullptr && parsePeerFlag(flag, value, *peer)) {
      continue;
    } else {
      std::cerr << "unknown option: " << flag << "\n";
      return false;
    }
  }
  return options.speaker.local_as != 0 && !options.speaker.peers.empty();
}

VipHealth health(bool up) {
  return VipHealth{{ServiceHealth{"svc", 2, up ? 2u : 0u, true}}};
}

class Driver {
 public:
  Driver(boost::asio::io_context& io, Options options)
      : io_(io),
        vips_(options.vips),
        service_(io, options.speaker, options.vips, options.global),
        input_(io, ::dup(STDIN_FILENO)) {}

  int run() {
    if (auto started = service_.start(); !started) {
      std::cerr << started.error() << "\n";
      return 1;
    }
    read();
    io_.run();
    return 0;
  }

 private:
  void read() {
    boost::asio::async_read_until(input_, buffer_, '\n',
                                  [this](const boost::system::error_code& error, std::size_t) {
                                    if (error) {
                                      stop();
                                      return;
                                    }
                                    std::istream in(&buffer_);
                                    std::string line;
                                    std::getline(in, line);
                                    if (command(line)) {
                                      read();
                                    }
                                  });
  }

  // Returns whether to read the next command.
  bool command(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    std::string argument;
    in >> verb >> argument;
    if (const auto reply = operatorCommand(verb, argument)) {
      std::cout << (*reply ? **reply : "error: " + reply->error()) << "\n";
    } else if (verb == "up" || verb == "down") {
      service_.setHealth(argument, health(verb == "up"));
    } else if (verb == "up-all") {
      for (const VipPolicy& vip : vips_) {
        service_.setHealth(vip.name, health(true));
      }
    } else if (verb == "keep") {
      const std::size_t kept = std::min<std::size_t>(number(argument), vips_.size());
      service_.setVips({vips_.begin(), vips_.begin() + static_cast<std::ptrdiff_t>(kept)});
    } else if (verb == "startup") {
      service_.startupDone();
    } else if (verb == "drain") {
      service_.drain();
    } else if (verb == "undrain") {
      service_.undrain();
    } else if (verb == "status") {
      for (const SessionStatus& status : service_.sessions()) {
        std::cout << "peer=" << status.name << " state=" << sessionStateName(status.state)
                  << " enabled=" << status.enabled
                  << " established=" << status.counters.established_count
                  << " updates_sent=" << status.counters.updates_sent
                  << " updates_received=" << status.counters.updates_received
                  << " refused=" << status.counters.connections_refused << "\n";
      }
    } else if (verb == "routes") {
      for (const RouteStatus& route : service_.routes()) {
        std::cout << "vip=" << route.vip << " prefix=" << route.prefix << " peer=" << route.peer
                  << " announced=" << route.announced << " state=" << route.state
                  << " hold=" << route.operator_hold << "\n";
      }
    } else if (verb == "stop") {
      stop();
      return false;
    } else if (!verb.empty()) {
      std::cout << "unknown command: " << verb << "\n";
    }
    std::cout << "ok" << std::endl;
    return true;
  }

  // vipc's BGP commands; nullopt when verb is none of them.
  std::optional<std::expected<std::string, std::string>> operatorCommand(const std::string& verb,
                                                                         const std::string& name) {
    if (verb == "disable" || verb == "enable") {
      return service_.setPeerEnabled(name, verb == "enable");
    }
    if (verb == "restart") {
      return service_.restartPeer(name);
    }
    if (verb == "withdraw" || verb == "announce") {
      return service_.holdVip(name, verb == "withdraw");
    }
    return std::nullopt;
  }

  void stop() {
    service_.stop([this] {
      std::cout << "ok" << std::endl;
      input_.close();
    });
  }

  boost::asio::io_context& io_;
  const std::vector<VipPolicy> vips_;  // as configured at start, for up-all and keep
  BgpService service_;
  boost::asio::posix::stream_descriptor input_;
  boost::asio::streambuf buffer_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::cerr << "usage: bgp_driver --local-as AS [--router-id ID] [--listen ADDR] "
                 "[--listen-port P] [--vip PREFIX]... [--many-vips N] [--med N] "
                 "[--as-path 'A B'] "
                 "[--community A:B] [--large-community A:B:C] [--next-hop-ipv4 A] "
                 "[--next-hop-ipv6 A] [--hold-down S] [--drain-time S] [--graceful-restart] "
                 "[--drain-on-stop] --peer ADDR [--peer-port P] [--peer-as AS] [--passive] "
                 "[--local-address A] [--local-port P] [--hold-time S] [--md5 PW] "
                 "[--ttl-security HOPS]...\n";
    return 2;
  }
  vipd::log::setLevel("debug");
  boost::asio::io_context io;
  Driver driver(io, std::move(options));
  return driver.run();
}
