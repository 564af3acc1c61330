// applyTimeouts(): sets the kernel's global IPVS connection timeouts (ipvsadm --set), as the
// configuration asks at start. It reads the kernel's values, sets those asked for and reads
// them back, then logs what changed (the values now in force and the ones before) or, when
// the kernel refuses, its reason in words; either way the outcome reaches `done`.
//
// The three requests are queued on the backend at once, and a backend does its work in the
// order asked: they run before anything queued later (the first reconcile), and no callback
// refers to the backend, so it may be destroyed with answers still pending.
#pragma once

#include <expected>
#include <functional>
#include <string>

#include "ipvs/backend.h"

namespace vipd::ipvs {

struct TimeoutsChange {
  Timeouts requested;  // a 0 is left as the kernel has it
  Timeouts before;
  Timeouts after;

  bool operator==(const TimeoutsChange&) const = default;
};

using ApplyTimeoutsDone = std::function<void(std::expected<TimeoutsChange, std::string>)>;

// `requested` has at least one timeout that is not 0.
void applyTimeouts(Backend& backend, const Timeouts& requested, ApplyTimeoutsDone done = {});

}  // namespace vipd::ipvs
