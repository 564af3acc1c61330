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

// One line of ipvsadm's rule syntax, as `ipvsadm -S -n` prints it (ipvsadm 1.31), with no
// newline: "-A -t 192.0.2.10:80 -s wrr", "-a -t 192.0.2.10:80 -r 198.51.100.1:80 -g -w 10",
// "-e ...", "-d -t 192.0.2.10:80 -r 198.51.100.1:80", "-D -t 192.0.2.10:80".
//
// Service fields in ipvsadm's order: -s, -p TIMEOUT (with kFlagPersistent) and -M NETMASK
// (persistent and not full), -o, -b FLAGS (sh-*/mh-* names for sh and mh, flag-N
// otherwise). Destination fields: -r, -g/-m/-i, -w, then for a tunnel --tun-type (with
// --tun-port for GUE and --tun-nocsum/--tun-csum/--tun-remcsum for GUE and GRE).
//
// Where vipd differs from `ipvsadm -S`, so that `ipvsadm -R` reproduces every field:
// - `-x N` and `-y N` follow a destination whose upper or lower threshold is not 0 (ipvsadm
//   saves no thresholds and so loses them); with both 0 the line is ipvsadm's;
// - a fwmark is printed unsigned (ipvsadm prints it with %d, negative above 2^31);
// - "-b" is left out when no flag has a name for the scheduler (ipvsadm prints a dangling
//   "-b " for, say, sh with only kFlagSched3).
// Edits print every field, as an add does: ipvsadm -E and -e reset what they are not given.
std::string toIpvsadm(const Operation& operation);

// The outcome of one operation. `error` is the kernel's errno (0 on success).
struct OperationResult {
  Operation operation;
  int error = 0;
  std::string message;  // the errno spelled out ("File exists"); empty on success

  bool ok() const { return error == 0; }
};

// An errno spelled out, untranslated: "File exists", "No such process".
std::string errorText(int error);

// Applies `operation` to `table` as the kernel's ip_vs_ctl would; 0 or an errno:
// - ESRCH: any operation but AddService on a service that does not exist;
// - EEXIST: AddService or AddDestination of what exists;
// - ENOENT: EditDestination or DeleteDestination of a destination that does not exist, or a
//   scheduler the kernel has no module for (rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh
//   twos are known);
// - ERANGE: a weight above INT_MAX or a lower threshold above the upper one;
// - EINVAL: a destination operation without a destination, GUE without a tunnel port, or
//   a destination of the other address family that is not tunnelled.
// On an error the table is left as it was.
int applyToTable(Table& table, const Operation& operation);

}  // namespace vipd::ipvs
