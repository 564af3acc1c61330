// The reconciler: the smallest list of operations that turns the current table into the
// desired one, touching only what vipd owns. Pure: no I/O.
//
// What is touched: every service in `desired` (added, or edited to match, its destinations
// added, edited and deleted to match: a destination of a desired service that is not
// desired is deleted, whoever added it); every service in `owned` that is not desired
// (deleted). A service in neither is another tool's and is never touched.
//
// Minimal: a field that can be changed in place is edited, never deleted and re-added: a
// service's scheduler, flags and persistence (timeout, netmask); a destination's weight,
// thresholds, forwarding method and tunnel fields. Only a change of key (protocol, address,
// port, fwmark, family; a destination's address and port) deletes and adds. A service that
// goes is deleted alone: the kernel deletes its destinations with it. Tables are compared
// in their canonical() form, so a dump that differs from the configuration only in how it
// spells the same state gives no operation.
//
// Order, so that the list can be applied one operation after another: for each desired
// service in key order, the service's add or edit, then its destination adds, edits and
// deletes (adds first, so that a replaced server never leaves the service one short); then
// the deletes of the services that go. Services come before their destinations on add,
// destinations before services on delete.
//
// reconcileScope() is the same comparison limited to what changed: whole services, or some
// destinations of a service, for tables kept in canonical form by their owner (the
// synchronizer), so that one changed server costs O(log N) and not a pass over the table.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "ipvs/model.h"
#include "ipvs/operation.h"

namespace vipd::ipvs {

// `owned` are the services vipd may delete beyond those in `desired` (e.g. services it
// programmed before and that have left the configuration).
std::vector<Operation> reconcile(const Table& desired, const Table& current,
                                 const std::set<ServiceKey>& owned = {});

// What to compare: everything, or the named services whole and the named destinations of
// other services. Keys are canonical.
struct ReconcileScope {
  bool all = false;
  std::set<ServiceKey> services;
  std::map<ServiceKey, std::set<DestinationKey>> destinations;

  bool empty() const { return !all && services.empty() && destinations.empty(); }
  // Adds `other` to this scope.
  void merge(const ReconcileScope& other);
};

// reconcile() within `scope`, for a desired and a current table and owned keys that are all
// already in canonical form. Operations come in reconcile()'s order, for the services in
// the scope: a desired service that the current table lacks is added whole, whatever the
// scope names of it.
std::vector<Operation> reconcileScope(const Table& desired, const Table& current,
                                      const std::set<ServiceKey>& owned,
                                      const ReconcileScope& scope);

}  // namespace vipd::ipvs
