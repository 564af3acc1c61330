// Daemon: wires the modules together (DESIGN.md's flow of data). It owns the services'
// runtimes, the IPVS backend and its synchronizer, the start-up grace, and the signals.
//
// Start-up: IPVS is left alone until every service's pool has made its first decisions
// (each server has a first verdict) or the start-up grace runs out; then the first
// reconcile programs the whole table at once. This keeps a restart from depooling servers
// whose checks have simply not run yet.
#pragma once

#include <memory>

#include "config/loader.h"
#include "vipd/options.h"

namespace vipd {

class Daemon {
 public:
  Daemon(Options options, config::Loaded loaded);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGINT or SIGTERM; returns the process's exit status.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipd
