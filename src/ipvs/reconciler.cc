#include "ipvs/reconciler.h"

namespace vipd::ipvs {

namespace {

void addService(const ServiceEntry& desired, std::vector<Operation>& out) {
  out.push_back({OperationKind::AddService, desired.service, std::nullopt});
  for (const auto& [key, destination] : desired.destinations) {
    out.push_back({OperationKind::AddDestination, desired.service, destination});
  }
}

void updateService(const ServiceEntry& desired, const ServiceEntry& current,
                   std::vector<Operation>& out) {
  if (desired.service != current.service) {
    out.push_back({OperationKind::EditService, desired.service, std::nullopt});
  }

  for (const auto& [key, destination] : desired.destinations) {
    if (!current.destinations.contains(key)) {
      out.push_back({OperationKind::AddDestination, desired.service, destination});
    }
  }
  for (const auto& [key, destination] : desired.destinations) {
    const auto it = current.destinations.find(key);
    if (it != current.destinations.end() && it->second != destination) {
      out.push_back({OperationKind::EditDestination, desired.service, destination});
    }
  }
  for (const auto& [key, destination] : current.destinations) {
    if (!desired.destinations.contains(key)) {
      out.push_back({OperationKind::DeleteDestination, desired.service, destination});
    }
  }
}

// updateService() for the destinations in `keys` only, in the same order: adds, edits,
// deletes.
void updateDestinations(const ServiceEntry& desired, const ServiceEntry& current,
                        const std::set<DestinationKey>& keys, std::vector<Operation>& out) {
  if (desired.service != current.service) {
    out.push_back({OperationKind::EditService, desired.service, std::nullopt});
  }

  const auto find = [](const ServiceEntry& entry, const DestinationKey& key) {
    const auto it = entry.destinations.find(key);
    return it == entry.destinations.end() ? nullptr : &it->second;
  };
  std::vector<Operation> edits;
  std::vector<Operation> deletes;
  for (const auto& key : keys) {
    const Destination* want = find(desired, key);
    const Destination* have = find(current, key);
    if (want && !have) {
      out.push_back({OperationKind::AddDestination, desired.service, *want});
    } else if (want && *want != *have) {
      edits.push_back({OperationKind::EditDestination, desired.service, *want});
    } else if (!want && have) {
      deletes.push_back({OperationKind::DeleteDestination, desired.service, *have});
    }
  }
  out.insert(out.end(), edits.begin(), edits.end());
  out.insert(out.end(), deletes.begin(), deletes.end());
}

// One desired service, whole or only `keys` of it (null: whole).
void reconcileService(const ServiceEntry& desired, const Table& current,
                      const std::set<DestinationKey>* keys, std::vector<Operation>& out) {
  const auto it = current.services.find(desired.service.key);
  if (it == current.services.end()) {
    addService(desired, out);
  } else if (keys == nullptr) {
    updateService(desired, it->second, out);
  } else {
    updateDestinations(desired, it->second, *keys, out);
  }
}

void deleteServices(const std::set<ServiceKey>& going, const Table& current,
                    std::vector<Operation>& out) {
  for (const auto& key : going) {
    out.push_back({OperationKind::DeleteService, current.services.at(key).service, std::nullopt});
  }
}

std::vector<Operation> reconcileAll(const Table& desired, const Table& current,
                                    const std::set<ServiceKey>& owned) {
  std::vector<Operation> out;
  for (const auto& [key, entry] : desired.services) {
    reconcileService(entry, current, nullptr, out);
  }
  std::set<ServiceKey> going;
  for (const auto& key : owned) {
    if (!desired.services.contains(key) && current.services.contains(key)) {
      going.insert(key);
    }
  }
  deleteServices(going, current, out);
  return out;
}

}  // namespace

void ReconcileScope::merge(const ReconcileScope& other) {
  all = all || other.all;
  services.insert(other.services.begin(), other.services.end());
  for (const auto& [service, keys] : other.destinations) {
    destinations[service].insert(keys.begin(), keys.end());
  }
}

std::vector<Operation> reconcile(const Table& desired, const Table& current,
                                 const std::set<ServiceKey>& owned) {
  // Compared in canonical form, so that equal state spelled two ways is no change.
  std::set<ServiceKey> canonical_owned;
  for (const auto& key : owned) {
    canonical_owned.insert(canonical(key));
  }
  return reconcileAll(canonical(desired), canonical(current), canonical_owned);
}

std::vector<Operation> reconcileScope(const Table& desired, const Table& current,
                                      const std::set<ServiceKey>& owned,
                                      const ReconcileScope& scope) {
  if (scope.all) {
    return reconcileAll(desired, current, owned);
  }

  // Every service the scope names, in key order.
  std::set<ServiceKey> named = scope.services;
  for (const auto& [key, keys] : scope.destinations) {
    named.insert(key);
  }

  std::vector<Operation> out;
  std::set<ServiceKey> going;
  for (const auto& key : named) {
    const auto want = desired.services.find(key);
    if (want == desired.services.end()) {
      if (owned.contains(key) && current.services.contains(key)) {
        going.insert(key);
      }
      continue;
    }
    const auto partial = scope.destinations.find(key);
    const bool whole = scope.services.contains(key) || partial == scope.destinations.end();
    reconcileService(want->second, current, whole ? nullptr : &partial->second, out);
  }
  deleteServices(going, current, out);
  return out;
}

}  // namespace vipd::ipvs
