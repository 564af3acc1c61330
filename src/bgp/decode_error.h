// DecodeError: what the RFCs say to do about a message that does not decode.
//
// Every error names the NOTIFICATION that RFC 4271 6 prescribes (code, subcode and data,
// exactly as the RFC fixes them), the RFC section that says so, and a reason naming the
// field. For UPDATE attribute errors RFC 7606 2 softens the answer; action says which:
//
//   SessionReset      send notification and close (RFC 4271's answer; every error outside
//                     UPDATE attributes, and the UPDATE errors RFC 7606 keeps fatal)
//   TreatAsWithdraw   keep the session; withdraw every prefix the UPDATE carries: its
//                     withdrawn routes, NLRI and MP_REACH/MP_UNREACH prefixes, all in update
//   AttributeDiscard  keep the session; use update, from which the bad attribute is gone
//
// With the two softer actions the rest of the UPDATE is still decoded and returned in
// update, and notification is what RFC 4271 would have sent, for the log.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bgp/message.h"
#include "bgp/notification.h"

namespace vipd::bgp {

enum class ErrorAction : std::uint8_t {
  SessionReset,
  TreatAsWithdraw,
  AttributeDiscard,
};

// "session-reset", "treat-as-withdraw", "attribute-discard".
std::string_view errorActionName(ErrorAction action);

struct DecodeError {
  ErrorAction action = ErrorAction::SessionReset;
  Notification notification;
  std::string_view section;      // "RFC 4271 6.1", "RFC 7606 7.2"
  std::string reason;            // "message header: length 18 below 19"
  std::optional<Update> update;  // with TreatAsWithdraw and AttributeDiscard

  static DecodeError reset(Notification notification, std::string_view section, std::string reason);

  bool fatal() const { return action == ErrorAction::SessionReset; }
  // "update-message-error/malformed-as-path treat-as-withdraw (RFC 7606 7.2): ..."
  std::string toString() const;
};

// Keeps in kept the stronger of kept and candidate (RFC 7606 3(j): session reset, then
// treat-as-withdraw, then attribute discard); the earlier one among equals.
void keepStrongest(std::optional<DecodeError>& kept, DecodeError candidate);

}  // namespace vipd::bgp
