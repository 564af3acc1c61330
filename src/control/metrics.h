// MetricsExposition: vipd's state in the Prometheus text exposition format (version 0.0.4),
// built from DaemonView snapshots at each scrape. Names follow Prometheus's conventions: the
// vipd_ prefix, base units (seconds, bytes, ratios), _total on counters, histograms with
// _bucket, _sum and _count. The process figures use the standard process_ names every
// Prometheus client library exports.
//
// When the configuration was imported from a pybal.conf (StatusView::config_format "pybal"),
// the exposition also carries PyBal's metric names and labels (pybal_service_*,
// pybal_monitor_*, pybal_bgp_*), with values written as PyBal's client library wrote them,
// so that PyBal's dashboards and alerts keep working. docs/metrics.md lists every metric.
#pragma once

#include <string>
#include <string_view>

#include "control/daemon_view.h"

namespace vipd::control {

class MetricsExposition {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  explicit MetricsExposition(const DaemonView& view) : view_(view) {}

  // The whole exposition. Reads /proc/self for the process figures.
  std::string render() const;

  // A label value with backslash, double quote and newline escaped, as the format requires.
  static std::string escapeLabelValue(std::string_view value);

  // A sample value: integers without a fraction, others in the shortest exact form, NaN and
  // +Inf/-Inf as the format spells them.
  static std::string formatValue(double value);

  // A sample value as PyBal's Python client wrote it: always with a fraction ("1.0").
  static std::string formatPythonValue(double value);

 private:
  const DaemonView& view_;
};

}  // namespace vipd::control
