#include "vipd/host_resolution.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <vector>

#include "common/log.h"

namespace vipd {

namespace asio = boost::asio;

struct HostResolution::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::string name, IpAddress::Family wanted, std::chrono::seconds every,
       OnAddress callback)
      : resolver(io),
        timer(io),
        host(std::move(name)),
        family(wanted),
        interval(every),
        on_address(std::move(callback)) {}

  void resolve() {
    resolver.async_resolve(
        host, "", asio::ip::tcp::resolver::address_configured,
        [weak = weak_from_this()](const boost::system::error_code& error,
                                  const asio::ip::tcp::resolver::results_type& results) {
          if (auto self = weak.lock(); self && error != asio::error::operation_aborted) {
            self->afterResolve(error, results);
          }
        });
  }

  void afterResolve(const boost::system::error_code& error,
                    const asio::ip::tcp::resolver::results_type& results) {
    const auto candidates = addressesOfFamily(results);
    if (error || candidates.empty()) {
      reportFailure(error ? error.message() : "no address of the service's family");
    } else {
      choose(candidates);
    }
    scheduleNext();
  }

  std::vector<IpAddress> addressesOfFamily(
      const asio::ip::tcp::resolver::results_type& results) const {
    std::vector<IpAddress> out;
    for (const auto& entry : results) {
      const auto parsed = IpAddress::parse(entry.endpoint().address().to_string());
      if (parsed && parsed->family() == family) {
        out.push_back(*parsed);
      }
    }
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
      if (auto self = weak.lock(); self && !error) {
        self->resolve();
      }
    });
  }

  asio::ip::tcp::resolver resolver;
  asio::steady_timer timer;
  std::string host;
  IpAddress::Family family;
  std::chrono::seconds interval;
  OnAddress on_address;
  std::optional<IpAddress> address;
  std::string last_error;
};

HostResolution::HostResolution(asio::io_context& io, std::string host, IpAddress::Family family,
                               std::chrono::seconds interval, OnAddress on_address)
    : impl_(std::make_shared<Impl>(io, std::move(host), family, interval, std::move(on_address))) {}

HostResolution::~HostResolution() {
  impl_->resolver.cancel();
  impl_->timer.cancel();
}

void HostResolution::start() {
  // A numeric host needs no lookup; it is reported from the loop like any answer.
  if (const auto numeric = IpAddress::parse(impl_->host)) {
    if (numeric->family() != impl_->family) {
      impl_->reportFailure("address family differs from the service's");
      return;
    }
    impl_->address = *numeric;
    asio::post(impl_->resolver.get_executor(), [weak = std::weak_ptr<Impl>(impl_)] {
      if (auto self = weak.lock()) {
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
