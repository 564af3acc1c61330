#include "bgp/communities.h"

#include <array>

namespace vipd::bgp {
namespace {

struct WellKnown {
  Community community;
  std::string_view name;
};

constexpr std::array kWellKnown = {
    WellKnown{kGracefulShutdown, "graceful-shutdown"},
    WellKnown{kAcceptOwn, "accept-own"},
    WellKnown{kLlgrStale, "llgr-stale"},
    WellKnown{kNoLlgr, "no-llgr"},
    WellKnown{kBlackhole, "blackhole"},
    WellKnown{kNoExport, "no-export"},
    WellKnown{kNoAdvertise, "no-advertise"},
    WellKnown{kNoExportSubconfed, "no-export-subconfed"},
    WellKnown{kNoPeer, "no-peer"},
};

}  // namespace

std::string Community::toString() const {
  return std::to_string(asn()) + ":" + std::to_string(local());
}

std::string_view Community::wellKnownName() const {
  for (const WellKnown& entry : kWellKnown) {
    if (entry.community == *this) {
      return entry.name;
    }
  }
  return {};
}

std::string LargeCommunity::toString() const {
  return std::to_string(global_administrator) + ":" + std::to_string(local_data_1) + ":" +
         std::to_string(local_data_2);
}

}  // namespace vipd::bgp
