#include "vipd/host_resolution.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log.h"

namespace vipd {

namespace asio = boost::asio;

struct HostResolution::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::string name, IpAddress::Family wanted,
       std::chrono::milliseconds every, OnAddress callback, Lookup lookup_function)
      : timer(io),
        host(std::move(name)),
        family(wanted),
        interval(every),
        on_address(std::move(callback)),
        lookup(std::move(lookup_function)) {}

  void resolve() {
    lookup(host, [weak = weak_from_this()](Answer answer) {
      if (auto self = weak.lock(); self && !self->stopped) {
        self->afterResolve(answer);
      }
    });
  }

  void afterResolve(const Answer& answer) {
    if (!answer) {
      reportFailure(answer.error());
    } else if (const auto candidates = ofFamily(*answer); candidates.empty()) {
      reportFailure("no address of the service's family");
    } else {
      choose(candidates);
    }
    scheduleNext();
  }

  std::vector<IpAddress> ofFamily(const std::vector<IpAddress>& addresses) const {
    std::vector<IpAddress> out;
    std::copy_if(addresses.begin(), addresses.end(), std::back_inserter(out),
                 [this](const IpAddress& candidate) { return candidate.family() == family; });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void reportFailure(const std::string& why) {
    if (last_error != why) {
      log::get("vipd")->warn("host does not resolve host={} error=\"{}\" keeping={}", host, why,
                             address ? address->toString() : std::string("none"));
    }
    last_error = why;
  }

  // Keeps the current address while it is still an answer, so a name with several
  // addresses does not move its server between them at each resolution.
  void choose(const std::vector<IpAddress>& candidates) {
    if (!last_error.empty()) {
      log::get("vipd")->info("host resolves again host={}", host);
    }
    last_error.clear();
    if (address && std::find(candidates.begin(), candidates.end(), *address) != candidates.end()) {
      return;
    }
    const auto previous = address;
    address = candidates.front();
    if (previous) {
      log::get("vipd")->info("host address changed host={} from={} to={}", host,
                             previous->toString(), address->toString());
    }
    on_address(*address);
  }

  void scheduleNext() {
    timer.expires_after(interval);
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      if (auto self = weak.lock(); self && !error && !self->stopped) {
        self->resolve();
      }
    });
  }

  asio::steady_timer timer;
  std::string host;
  IpAddress::Family family;
  std::chrono::milliseconds interval;
  OnAddress on_address;
  Lookup lookup;
  std::optional<IpAddress> address;
  std::string last_error;
  bool stopped = false;
};

HostResolution::Lookup HostResolution::systemLookup(asio::io_context& io) {
  // One resolver per lookup: Asio runs getaddrinfo on a private thread and posts the answer
  // to the loop; the resolver must live until then, so the handler holds it.
  return [&io](const std::string& host, std::function<void(Answer)> done) {
    auto resolver = std::make_shared<asio::ip::tcp::resolver>(io);
    resolver->async_resolve(
        host, "", asio::ip::tcp::resolver::address_configured,
        [resolver, done = std::move(done)](const boost::system::error_code& error,
                                           const asio::ip::tcp::resolver::results_type& results) {
          if (error) {
            done(std::unexpected(error.message()));
            return;
          }
          std::vector<IpAddress> addresses;
          for (const auto& entry : results) {
            if (const auto parsed = IpAddress::parse(entry.endpoint().address().to_string())) {
              addresses.push_back(*parsed);
            }
          }
          done(addresses);
        });
  };
}

HostResolution::HostResolution(asio::io_context& io, std::string host, IpAddress::Family family,
                               std::chrono::milliseconds interval, OnAddress on_address)
    : HostResolution(io, std::move(host), family, interval, std::move(on_address),
                     systemLookup(io)) {}

HostResolution::HostResolution(asio::io_context& io, std::string host, IpAddress::Family family,
                               std::chrono::milliseconds interval, OnAddress on_address,
                               Lookup lookup)
    : impl_(std::make_shared<Impl>(io, std::move(host), family, interval, std::move(on_address),
                                   std::move(lookup))) {}

HostResolution::~HostResolution() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

HostResolution::Numeric HostResolution::numericAddress(std::string_view host,
                                                       IpAddress::Family family) {
  const auto address = IpAddress::parse(host);
  if (!address) {
    return std::nullopt;
  }
  if (address->family() != family) {
    return std::unexpected(std::string("address family differs from the service's"));
  }
  return *address;
}

void HostResolution::start() {
  // A numeric host needs no lookup; it is reported from the loop like any answer.
  if (const auto numeric = numericAddress(impl_->host, impl_->family)) {
    if (!*numeric) {
      impl_->reportFailure(numeric->error());
      return;
    }
    impl_->address = **numeric;
    asio::post(impl_->timer.get_executor(), [weak = std::weak_ptr<Impl>(impl_)] {
      if (auto self = weak.lock(); self && !self->stopped) {
        self->on_address(*self->address);
      }
    });
    return;
  }
  impl_->resolve();
}

const std::string& HostResolution::host() const {
  return impl_->host;
}
const std::optional<IpAddress>& HostResolution::address() const {
  return impl_->address;
}
const std::string& HostResolution::lastError() const {
  return impl_->last_error;
}

}  // namespace vipd
