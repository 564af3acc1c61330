// The narrow interfaces a monitor kind implements. A kind only runs its probe; MonitorBase owns
// scheduling, the timeout, rise/fall, transitions and counters.
//
// Probe: one check at a time, started by the base on its schedule. A probe allocates what a
// check needs when it starts and frees it when it ends, so that nothing but its parameters
// stays resident between checks.
//
// ContinuousProbe: a kind that watches the server all the time (idle-connection) and reports
// whenever it learns something, through the same base.
#pragma once

#include <functional>

#include "monitor/monitor.h"

namespace vipd::monitor {

class Probe {
 public:
  using Done = std::function<void(ProbeResult)>;

  virtual ~Probe() = default;

  // Starts one check. `done` is called exactly once, never from within start(), unless
  // cancel() comes first. The base fills in the latency.
  virtual void start(Done done) = 0;
  // Abandons the running check, if any: its `done` is never called, and what it holds
  // (sockets, processes) is released or killed. The destructor cancels too.
  virtual void cancel() = 0;
};

class ContinuousProbe {
 public:
  // One finding: an up or down result, and whether it came from an attempt that timed out.
  using Report = std::function<void(ProbeResult, bool timed_out)>;

  virtual ~ContinuousProbe() = default;

  // Starts watching; `report` may be called any number of times, never from within start().
  virtual void start(Report report) = 0;
  // Stops watching: no report after stop() returns. The destructor stops too.
  virtual void stop() = 0;
};

}  // namespace vipd::monitor
