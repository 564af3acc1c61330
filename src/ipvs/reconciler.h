// The reconciler: the smallest list of operations that turns the current table into the
// desired one, touching only what vipd owns. Pure: no I/O.
//
// Order: services are added (or edited) before their destinations, destinations are
// deleted before their service, so that the list can be applied in order. A field that
// can be changed in place (weight, thresholds, scheduler, flags) is edited, never deleted
// and re-added; a destination's forwarding method is also edited in place.
#pragma once

#include <set>
#include <vector>

#include "ipvs/model.h"
#include "ipvs/operation.h"

namespace vipd::ipvs {

// `owned` are the services vipd may delete beyond those in `desired` (e.g. services it
// programmed before and that have left the configuration). A service in neither set is
// another tool's and is never touched.
std::vector<Operation> reconcile(const Table& desired, const Table& current,
                                 const std::set<ServiceKey>& owned = {});

}  // namespace vipd::ipvs
