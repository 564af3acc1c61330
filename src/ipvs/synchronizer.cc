#include "ipvs/synchronizer.h"

#include <malloc.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "common/log.h"
#include "ipvs/reconciler.h"

namespace vipd::ipvs {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static const auto instance = log::get("ipvs");
  return instance;
}

// The part of `table` that `keys` name.
Table restrict(const Table& table, const std::set<ServiceKey>& keys) {
  Table out;
  for (const auto& key : keys) {
    if (const auto it = table.services.find(key); it != table.services.end()) {
      out.services.insert(*it);
    }
  }
  return out;
}

std::size_t destinationCount(const Table& table) {
  std::size_t count = 0;
  for (const auto& [key, entry] : table.services) {
    count += entry.destinations.size();
  }
  return count;
}

// A dump of a large table frees megabytes once handled (the dump, its canonical form, the
// drift comparison's copies, the view it replaces), one map node a destination each, below
// the top of the heap: glibc's malloc keeps such memory unless told to return it, so that
// the periodic redump would otherwise keep the process that much larger from then on.
constexpr std::size_t kTrimAfterDestinations = 1000;

void returnFreedMemoryLater(boost::asio::io_context& io) {
  // Posted: the dump's own buffers are freed only once its handler has returned.
  boost::asio::post(io, [] { ::malloc_trim(0); });
}

}  // namespace

struct Synchronizer::Impl : std::enable_shared_from_this<Impl> {
  enum class State : std::uint8_t { Idle, Dumping, Applying };
  enum class DumpReason : std::uint8_t { Initial, Retry, Redump };

  Impl(boost::asio::io_context& io_context, Backend& backend_ref, Options opts)
      : io(io_context), backend(backend_ref), options(opts), timer(io_context) {}

  void schedule();
  void step();
  void armTimer();
  void startDump(DumpReason reason);
  void afterDump(DumpReason reason, std::expected<Table, std::string> result);
  void countDrift(const Table& dumped);
  void reconcileNow();
  void afterApply(std::size_t sent, std::vector<OperationResult> results);
  bool recordResults(std::size_t sent, const std::vector<OperationResult>& results);
  void afterReconciled();
  void updateProgrammed();
  // The judgment of one desired service after a reconcile that covered `keys` of it (null:
  // all of it); nullopt when it changed again since and the next reconcile judges it.
  std::optional<bool> judge(const ServiceKey& key, const std::set<DestinationKey>* keys) const;

  boost::asio::io_context& io;
  Backend& backend;
  Options options;
  boost::asio::steady_timer timer;

  Table desired;               // canonical
  std::set<ServiceKey> owned;  // canonical
  Table current;               // canonical
  std::map<ServiceKey, bool> programmed;
  Counters counters;
  ProgrammedChanged on_programmed;
  std::function<void()> on_first_reconcile;

  State state = State::Idle;
  bool have_current = false;
  bool have_desired = false;
  ReconcileScope pending;    // changed since the last reconcile began
  ReconcileScope in_flight;  // what the reconcile with the backend covers
  bool turn_scheduled = false;
  bool redump_pending = false;
  bool first_done = false;
  unsigned retries = 0;
};

// Once per loop turn, however many changes come in it.
void Synchronizer::Impl::schedule() {
  if (turn_scheduled) {
    return;
  }
  turn_scheduled = true;
  boost::asio::post(io, [weak = weak_from_this()] {
    if (const auto self = weak.lock()) {
      self->turn_scheduled = false;
      self->step();
    }
  });
}

// The next thing to do, when the backend is free.
void Synchronizer::Impl::step() {
  if (state != State::Idle) {
    return;
  }
  if (!have_current) {
    startDump(DumpReason::Initial);
    return;
  }
  if (redump_pending) {
    startDump(DumpReason::Redump);
    return;
  }
  if (!pending.empty() && have_desired) {
    reconcileNow();
  }
}

void Synchronizer::Impl::armTimer() {
  if (options.redump_interval.count() <= 0) {
    return;
  }
  timer.expires_after(options.redump_interval);
  timer.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    const auto self = weak.lock();
    if (error || !self) {
      return;
    }
    self->redump_pending = true;
    self->retries = 0;
    self->step();
    self->armTimer();
  });
}

void Synchronizer::Impl::startDump(DumpReason reason) {
  state = State::Dumping;
  ++counters.dumps;
  backend.dump([weak = weak_from_this(), reason](std::expected<Table, std::string> result) {
    if (const auto self = weak.lock()) {
      self->afterDump(reason, std::move(result));
    }
  });
}

void Synchronizer::Impl::afterDump(DumpReason reason, std::expected<Table, std::string> result) {
  state = State::Idle;
  if (!result) {
    ++counters.dump_failures;
    logger()->error("ipvs dump failed backend={} error=\"{}\"", backend.name(), result.error());
    if (retries < options.max_retries) {
      ++retries;
      startDump(reason);
    } else {
      ++counters.gave_up;
      retries = 0;
      logger()->error("ipvs dump gave up backend={} retries={}", backend.name(),
                      options.max_retries);
    }
    return;
  }

  Table dumped = canonical(*result);
  if (reason == DumpReason::Redump && first_done) {
    countDrift(dumped);
  }
  if (reason == DumpReason::Initial) {
    logger()->info("ipvs table adopted backend={} services={}", backend.name(),
                   dumped.services.size());
  }
  current = std::move(dumped);
  have_current = true;
  redump_pending = false;
  pending.all = true;
  if (destinationCount(current) >= kTrimAfterDestinations) {
    returnFreedMemoryLater(io);
  }
  step();
}

// What differs between what vipd had programmed and what the kernel holds now, among the
// services vipd is responsible for: the operations that the next reconcile will use to put
// it back.
void Synchronizer::Impl::countDrift(const Table& dumped) {
  std::set<ServiceKey> mine = owned;
  for (const auto& [key, entry] : desired.services) {
    mine.insert(key);
  }

  const Table programmed_view = restrict(current, mine);
  ReconcileScope everything;
  everything.all = true;
  for (const auto& operation :
       reconcileScope(programmed_view, restrict(dumped, mine), mine, everything)) {
    ++counters.repairs;
    logger()->warn("ipvs drift found service=\"{}\" op=\"{}\"", operation.service.key.toString(),
                   toIpvsadm(operation));
  }
}

void Synchronizer::Impl::reconcileNow() {
  // What an unfinished reconcile (a dump that gave up) covered is judged with this one.
  in_flight.merge(pending);
  pending = {};
  std::vector<Operation> operations = reconcileScope(desired, current, owned, in_flight);
  if (operations.empty()) {
    retries = 0;
    afterReconciled();
    return;
  }

  state = State::Applying;
  ++counters.batches;
  logger()->debug("ipvs reconcile backend={} operations={}", backend.name(), operations.size());
  const std::size_t sent = operations.size();
  backend.apply(std::move(operations),
                [weak = weak_from_this(), sent](std::vector<OperationResult> results) {
                  if (const auto self = weak.lock()) {
                    self->afterApply(sent, std::move(results));
                  }
                });
}

void Synchronizer::Impl::afterApply(std::size_t sent, std::vector<OperationResult> results) {
  state = State::Idle;
  if (recordResults(sent, results)) {
    retries = 0;
    afterReconciled();
    return;
  }

  if (retries < options.max_retries) {
    ++retries;
    startDump(DumpReason::Retry);
    return;
  }
  ++counters.gave_up;
  retries = 0;
  logger()->error("ipvs reconcile gave up backend={} retries={}", backend.name(),
                  options.max_retries);
  afterReconciled();
}

// Applies the successes to the view; false when anything failed or went missing.
bool Synchronizer::Impl::recordResults(std::size_t sent,
                                       const std::vector<OperationResult>& results) {
  bool all_applied = results.size() == sent;
  for (const auto& result : results) {
    if (!result.ok()) {
      ++counters.operations_failed;
      all_applied = false;
      logger()->warn("ipvs operation failed service=\"{}\" op=\"{}\" error=\"{}\"",
                     result.operation.service.key.toString(), toIpvsadm(result.operation),
                     result.message.empty() ? errorText(result.error) : result.message);
      continue;
    }
    ++counters.operations_applied;
    // The backend applied what the view says cannot be: the view is stale.
    if (applyToTable(current, result.operation) != 0) {
      all_applied = false;
    }
  }
  return all_applied;
}

void Synchronizer::Impl::afterReconciled() {
  updateProgrammed();
  if (!first_done) {
    first_done = true;
    logger()->info("ipvs first reconcile done backend={} services={}", backend.name(),
                   desired.services.size());
    if (on_first_reconcile) {
      on_first_reconcile();
    }
  }
  step();
}

void Synchronizer::Impl::updateProgrammed() {
  const ReconcileScope covered = std::exchange(in_flight, {});
  std::set<ServiceKey> named = covered.services;
  for (const auto& [key, keys] : covered.destinations) {
    named.insert(key);
  }
  if (covered.all) {
    for (const auto& [key, was] : programmed) {
      named.insert(key);
    }
    for (const auto& [key, entry] : desired.services) {
      named.insert(key);
    }
  }

  // Services no longer desired first, then the others, each group in key order.
  std::vector<std::pair<ServiceKey, bool>> changes;
  std::vector<std::pair<ServiceKey, bool>> judged;
  for (const auto& key : named) {
    const auto it = programmed.find(key);
    const bool was = it != programmed.end() && it->second;
    if (!desired.services.contains(key)) {
      if (it != programmed.end()) {
        programmed.erase(it);
      }
      if (was) {
        changes.emplace_back(key, false);
      }
      continue;
    }
    const auto partial = covered.destinations.find(key);
    const bool whole =
        covered.all || covered.services.contains(key) || partial == covered.destinations.end();
    const auto now = judge(key, whole ? nullptr : &partial->second);
    if (!now) {
      continue;
    }
    programmed[key] = *now;
    if (was != *now) {
      judged.emplace_back(key, *now);
    }
  }
  changes.insert(changes.end(), judged.begin(), judged.end());

  for (const auto& [key, now] : changes) {
    if (now) {
      logger()->info("ipvs service programmed service=\"{}\"", key.toString());
    } else {
      logger()->warn("ipvs service not programmed service=\"{}\"", key.toString());
    }
    if (on_programmed) {
      on_programmed(key, now);
    }
  }
}

std::optional<bool> Synchronizer::Impl::judge(const ServiceKey& key,
                                              const std::set<DestinationKey>* keys) const {
  if (pending.all || pending.services.contains(key)) {
    return std::nullopt;
  }
  static const std::set<DestinationKey> kNone;
  const auto changed_again = pending.destinations.find(key);
  const auto& again = changed_again == pending.destinations.end() ? kNone : changed_again->second;

  const ServiceEntry& want = desired.services.at(key);
  const auto have_it = current.services.find(key);
  if (have_it == current.services.end()) {
    return false;
  }
  const ServiceEntry& have = have_it->second;
  if (want.service != have.service) {
    return false;
  }

  const auto same = [&](const DestinationKey& destination) {
    const auto w = want.destinations.find(destination);
    const auto h = have.destinations.find(destination);
    if (w == want.destinations.end() || h == have.destinations.end()) {
      return w == want.destinations.end() && h == have.destinations.end();
    }
    return w->second == h->second;
  };
  // Only the covered destinations can have left the step of a service that was in it.
  const auto was = programmed.find(key);
  if (keys != nullptr && was != programmed.end() && was->second) {
    return std::ranges::all_of(*keys, [&](const auto& d) { return again.contains(d) || same(d); });
  }
  if (again.empty()) {
    return want.destinations == have.destinations;
  }
  const auto in_step = [&](const ServiceEntry& entry) {
    return std::ranges::all_of(entry.destinations, [&](const auto& destination) {
      return again.contains(destination.first) || same(destination.first);
    });
  };
  return in_step(want) && in_step(have);
}

Synchronizer::Synchronizer(boost::asio::io_context& io, Backend& backend, Options options)
    : impl_(std::make_shared<Impl>(io, backend, options)) {
  impl_->schedule();
  impl_->armTimer();
}

Synchronizer::~Synchronizer() = default;

void Synchronizer::setDesired(Table desired) {
  impl_->desired = canonical(desired);
  impl_->have_desired = true;
  impl_->pending.all = true;
  impl_->schedule();
}

void Synchronizer::setDesiredService(const ServiceEntry& entry) {
  ServiceEntry wanted = canonical(entry);
  const ServiceKey key = wanted.service.key;
  impl_->desired.services.insert_or_assign(key, std::move(wanted));
  impl_->pending.services.insert(key);
  impl_->schedule();
}

void Synchronizer::removeDesiredService(const ServiceKey& service) {
  const ServiceKey key = canonical(service);
  if (impl_->desired.services.erase(key) != 0) {
    impl_->pending.services.insert(key);
    impl_->schedule();
  }
}

void Synchronizer::setDesiredDestination(const ServiceKey& service,
                                         const Destination& destination) {
  const ServiceKey key = canonical(service);
  const auto entry = impl_->desired.services.find(key);
  if (entry == impl_->desired.services.end()) {
    return;
  }
  const Destination wanted = canonical(destination);
  auto [it, inserted] = entry->second.destinations.try_emplace(wanted.key, wanted);
  if (!inserted) {
    if (it->second == wanted) {
      return;
    }
    it->second = wanted;
  }
  impl_->pending.destinations[key].insert(wanted.key);
  impl_->schedule();
}

void Synchronizer::removeDesiredDestination(const ServiceKey& service,
                                            const DestinationKey& destination) {
  const ServiceKey key = canonical(service);
  const auto entry = impl_->desired.services.find(key);
  if (entry == impl_->desired.services.end() ||
      entry->second.destinations.erase(destination) == 0) {
    return;
  }
  impl_->pending.destinations[key].insert(destination);
  impl_->schedule();
}

// Only the services whose ownership changed need another look.
void Synchronizer::setOwned(std::set<ServiceKey> owned) {
  std::set<ServiceKey> next;
  for (const auto& key : owned) {
    next.insert(canonical(key));
  }
  std::ranges::set_symmetric_difference(
      impl_->owned, next, std::inserter(impl_->pending.services, impl_->pending.services.end()));
  impl_->owned = std::move(next);
  impl_->schedule();
}

void Synchronizer::redumpNow() {
  impl_->redump_pending = true;
  impl_->retries = 0;
  impl_->schedule();
}

bool Synchronizer::programmed(const ServiceKey& service) const {
  const auto it = impl_->programmed.find(canonical(service));
  return it != impl_->programmed.end() && it->second;
}

void Synchronizer::onProgrammedChanged(ProgrammedChanged callback) {
  impl_->on_programmed = std::move(callback);
}

bool Synchronizer::firstReconcileDone() const {
  return impl_->first_done;
}

void Synchronizer::onFirstReconcileDone(std::function<void()> callback) {
  impl_->on_first_reconcile = std::move(callback);
}

const Table& Synchronizer::desired() const {
  return impl_->desired;
}

const Table& Synchronizer::current() const {
  return impl_->current;
}

const Synchronizer::Counters& Synchronizer::counters() const {
  return impl_->counters;
}

}  // namespace vipd::ipvs
