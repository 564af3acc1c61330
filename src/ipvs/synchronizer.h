// Synchronizer: keeps the kernel's IPVS table, through a Backend, in step with the table
// vipd wants. It owns the desired table and its view of the current one.
//
// Life of a change:
//   - setDesired() (the whole table), the per-service and per-destination setters, and
//     setOwned() only record what changed and schedule: the reconcile runs once in the
//     next turn of the loop, so a burst of pool decisions becomes one batch. (The dry-run
//     backend prints each line inside apply(), so in that same turn.) Tables are kept in
//     canonical() form as they come in, and a batch compares only what changed since the
//     last one (reconcileScope()): one server's change costs O(log N), not a pass over the
//     table. A whole table from setDesired(), a dump and a re-dump compare everything.
//   - Before the first reconcile the table is dumped and adopted: what the kernel already
//     holds as desired is left alone, nothing is deleted and re-added. No reconcile runs
//     before the first setDesired(), so that a start with an empty desired table cannot
//     delete owned services. The per-service setters before that first setDesired() are
//     recorded but reconcile nothing.
//   - The batch is reconcile(desired, view, owned); each successful operation is applied
//     to the view. A failed operation is logged (`ipvs operation failed op="-a -t ..."
//     error="File exists"`), the table re-dumped and reconciled again, up to
//     Options::max_retries times in a row; then the synchronizer gives up (logged, counted)
//     until the next change, re-dump or redumpNow().
//   - Every Options::redump_interval (0: never) the table is dumped again. What differs
//     from what vipd had programmed (someone ran ipvsadm, a module was reloaded) is put back
//     by the following reconcile; each operation that does so is logged and counted as a
//     repair.
//
// Per-service status: a desired service is programmed when, after the last reconcile, the
// view holds it exactly as desired (in canonical form): its service fields and every
// destination. A service is judged after each reconcile that covered a change of it, on
// what that reconcile covered (the rest was already in step); what changed again while the
// batch was with the backend is judged after the next one. A change is logged and reported to the
// onProgrammedChanged callback (the BGP speaker announces a VIP only while its services are
// programmed). A service that is no longer desired is not programmed.
//
// All of it runs on the io_context's thread. The backend must outlive the synchronizer;
// the synchronizer may be destroyed with backend results or its own handlers still queued
// (they are then dropped).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>

#include "ipvs/backend.h"
#include "ipvs/model.h"

namespace boost::asio {
class io_context;
}

namespace vipd::ipvs {

struct SynchronizerOptions {
  std::chrono::milliseconds redump_interval = std::chrono::seconds(60);  // 0: never
  unsigned max_retries = 3;  // re-dump and reconcile again this often after a failure
};

struct SynchronizerCounters {
  std::uint64_t operations_applied = 0;  // operations the backend applied
  std::uint64_t operations_failed = 0;   // operations the backend refused
  std::uint64_t repairs = 0;             // operations needed to undo drift seen by a re-dump
  std::uint64_t dumps = 0;               // dumps asked for, the first one included
  std::uint64_t dump_failures = 0;
  std::uint64_t batches = 0;  // apply() calls
  std::uint64_t gave_up = 0;  // times max_retries ran out
};

class Synchronizer {
 public:
  using Options = SynchronizerOptions;
  using Counters = SynchronizerCounters;
  using ProgrammedChanged = std::function<void(const ServiceKey& service, bool programmed)>;

  // Schedules the initial dump; nothing is called before the io_context runs.
  Synchronizer(boost::asio::io_context& io, Backend& backend, Options options = {});
  ~Synchronizer();
  Synchronizer(const Synchronizer&) = delete;
  Synchronizer& operator=(const Synchronizer&) = delete;

  // The whole table vipd wants (every service it configures, each with its destinations).
  void setDesired(Table desired);
  // One service as vipd wants it, its destinations included; the other services stay.
  void setDesiredService(const ServiceEntry& entry);
  // The service is no longer desired (deleted if owned).
  void removeDesiredService(const ServiceKey& service);
  // One destination of a desired service, added or changed; ignored if the service is not
  // desired.
  void setDesiredDestination(const ServiceKey& service, const Destination& destination);
  void removeDesiredDestination(const ServiceKey& service, const DestinationKey& destination);
  // Services vipd may delete when they are not desired: those it programmed before.
  void setOwned(std::set<ServiceKey> owned);
  // Dumps and reconciles again as soon as the backend is free (e.g. on an operator's ask).
  void redumpNow();

  bool programmed(const ServiceKey& service) const;
  void onProgrammedChanged(ProgrammedChanged callback);

  // The first reconcile after the initial dump has ended (applied, or given up on).
  bool firstReconcileDone() const;
  void onFirstReconcileDone(std::function<void()> callback);

  // In canonical() form.
  const Table& desired() const;
  // The last dump, with the operations applied since, in canonical() form.
  const Table& current() const;
  const Counters& counters() const;

 private:
  struct Impl;
  // Shared so that queued handlers can hold it weakly and find it gone.
  std::shared_ptr<Impl> impl_;
};

}  // namespace vipd::ipvs
