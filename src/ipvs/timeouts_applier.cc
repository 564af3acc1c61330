#include "ipvs/timeouts_applier.h"

#include <memory>
#include <optional>

#include "common/log.h"

namespace vipd::ipvs {

namespace {

struct Attempt {
  TimeoutsChange change;
  std::optional<std::string> error;  // the first step's that failed
  ApplyTimeoutsDone done;

  void fail(std::string what) {
    if (!error) {
      error = std::move(what);
    }
  }
};

void report(Attempt& attempt, std::string_view backend) {
  const auto logger = log::get("ipvs");
  const TimeoutsChange& change = attempt.change;
  if (attempt.error) {
    logger->error(
        "ipvs timeouts not set, the kernel's stay in force backend={} tcp={} tcp_fin={} udp={} "
        "error=\"{}\"",
        backend, change.requested.tcp, change.requested.tcp_fin, change.requested.udp,
        *attempt.error);
  } else {
    logger->info(
        "ipvs timeouts set backend={} tcp={} tcp_fin={} udp={} previous_tcp={} "
        "previous_tcp_fin={} previous_udp={}",
        backend, change.after.tcp, change.after.tcp_fin, change.after.udp, change.before.tcp,
        change.before.tcp_fin, change.before.udp);
  }
  if (!attempt.done) {
    return;
  }
  if (attempt.error) {
    attempt.done(std::unexpected(*attempt.error));
  } else {
    attempt.done(change);
  }
}

}  // namespace

void applyTimeouts(Backend& backend, const Timeouts& requested, ApplyTimeoutsDone done) {
  auto attempt = std::make_shared<Attempt>();
  attempt->change.requested = requested;
  attempt->done = std::move(done);

  backend.timeouts([attempt](std::expected<Timeouts, std::string> before) {
    if (before) {
      attempt->change.before = *before;
    } else {
      attempt->fail("reading the timeouts: " + before.error());
    }
  });
  backend.setTimeouts(requested, [attempt](std::expected<void, std::string> set) {
    if (!set) {
      attempt->fail(set.error());
    }
  });
  backend.timeouts(
      [attempt, name = std::string(backend.name())](std::expected<Timeouts, std::string> after) {
        if (after) {
          attempt->change.after = *after;
        } else {
          attempt->fail("reading the timeouts back: " + after.error());
        }
        report(*attempt, name);
      });
}

}  // namespace vipd::ipvs
