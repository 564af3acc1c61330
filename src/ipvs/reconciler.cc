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

}  // namespace

std::vector<Operation> reconcile(const Table& desired, const Table& current,
                                 const std::set<ServiceKey>& owned) {
  // Compared in canonical form, so that equal state spelled two ways is no change.
  const Table want = canonical(desired);
  const Table have = canonical(current);

  std::vector<Operation> out;
  for (const auto& [key, entry] : want.services) {
    const auto it = have.services.find(key);
    if (it == have.services.end()) {
      addService(entry, out);
    } else {
      updateService(entry, it->second, out);
    }
  }

  std::set<ServiceKey> going;
  for (const auto& key : owned) {
    const ServiceKey canonical_key = canonical(key);
    if (!want.services.contains(canonical_key) && have.services.contains(canonical_key)) {
      going.insert(canonical_key);
    }
  }
  for (const auto& key : going) {
    out.push_back({OperationKind::DeleteService, have.services.at(key).service, std::nullopt});
  }
  return out;
}

}  // namespace vipd::ipvs
