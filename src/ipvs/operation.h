// Operation: one change to the IPVS table, as the reconciler decides it and a backend
// applies it; printed in ipvsadm's save syntax (ipvsadm -S -n), so that dry-run output fed
// to `ipvsadm -R` reproduces the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipvs/model.h"

namespace vipd::ipvs {

enum class OperationKind : std::uint8_t {
  AddService,
  EditService,
  DeleteService,
  AddDestination,
  EditDestination,
  DeleteDestination,
};

struct Operation {
  OperationKind kind = OperationKind::AddService;
  Service service;                         // the whole service (its key for deletes)
  std::optional<Destination> destination;  // for the destination operations

  bool operator==(const Operation&) const = default;
};

// "-A -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10",
// "-e ...", "-d -t 192.0.2.10:80 -r 198.51.100.1:80", "-D -t 192.0.2.10:80".
std::string toIpvsadm(const Operation& operation);

// The outcome of one operation. `error` is the kernel's errno (0 on success).
struct OperationResult {
  Operation operation;
  int error = 0;
  std::string message;  // the errno spelled out, with what was being done

  bool ok() const { return error == 0; }
};

// Applies `operation` to `table` as the kernel would; an errno on failure (EEXIST for an
// add of what exists, ENOENT for an edit or delete of what does not, ESRCH for a
// destination of a missing service).
int applyToTable(Table& table, const Operation& operation);

}  // namespace vipd::ipvs
