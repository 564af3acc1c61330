#include "bgp/decode_error.h"

#include <utility>

namespace vipd::bgp {

std::string_view errorActionName(ErrorAction action) {
  switch (action) {
    case ErrorAction::SessionReset:
      return "session-reset";
    case ErrorAction::TreatAsWithdraw:
      return "treat-as-withdraw";
    case ErrorAction::AttributeDiscard:
      return "attribute-discard";
  }
  return "unknown";
}

DecodeError DecodeError::reset(Notification notification, std::string_view section,
                               std::string reason) {
  return DecodeError{ErrorAction::SessionReset, std::move(notification), section, std::move(reason),
                     std::nullopt};
}

void keepStrongest(std::optional<DecodeError>& kept, DecodeError candidate) {
  // ErrorAction lists the actions strongest first.
  if (!kept || std::to_underlying(candidate.action) < std::to_underlying(kept->action)) {
    kept = std::move(candidate);
  }
}

std::string DecodeError::toString() const {
  std::string text = notification.name();
  text += ' ';
  text += errorActionName(action);
  text += " (";
  text += section;
  text += "): ";
  text += reason;
  return text;
}

}  // namespace vipd::bgp
