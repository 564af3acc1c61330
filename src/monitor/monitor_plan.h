// MonitorPlan (monitor.h): what every monitor built from one configured monitor shares,
// read-only once built. A service plans each of its monitors once; every server's monitor and
// probe holds the plan (a shared pointer) instead of a copy of the configuration.
#pragma once

#include <optional>

#include "config/model.h"
#include "monitor/http_settings.h"

namespace vipd::monitor {

struct MonitorPlan {
  config::MonitorConfig config;
  std::optional<HttpSettings> http;  // the http kind's URLs and requests, prepared
};

}  // namespace vipd::monitor
