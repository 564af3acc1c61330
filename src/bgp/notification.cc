#include "bgp/notification.h"

#include <array>
#include <utility>

namespace vipd::bgp {
namespace {

struct SubcodeName {
  std::uint8_t code;
  std::uint8_t subcode;
  std::string_view name;
};

// One table for every (code, subcode) pair the RFCs define.
constexpr std::array kSubcodeNames = {
    SubcodeName{1, 1, "connection-not-synchronized"},
    SubcodeName{1, 2, "bad-message-length"},
    SubcodeName{1, 3, "bad-message-type"},
    SubcodeName{2, 0, "unspecific"},
    SubcodeName{2, 1, "unsupported-version-number"},
    SubcodeName{2, 2, "bad-peer-as"},
    SubcodeName{2, 3, "bad-bgp-identifier"},
    SubcodeName{2, 4, "unsupported-optional-parameter"},
    SubcodeName{2, 5, "authentication-failure"},
    SubcodeName{2, 6, "unacceptable-hold-time"},
    SubcodeName{2, 7, "unsupported-capability"},
    SubcodeName{2, 11, "role-mismatch"},
    SubcodeName{3, 0, "unspecific"},
    SubcodeName{3, 1, "malformed-attribute-list"},
    SubcodeName{3, 2, "unrecognized-well-known-attribute"},
    SubcodeName{3, 3, "missing-well-known-attribute"},
    SubcodeName{3, 4, "attribute-flags-error"},
    SubcodeName{3, 5, "attribute-length-error"},
    SubcodeName{3, 6, "invalid-origin-attribute"},
    SubcodeName{3, 7, "as-routing-loop"},
    SubcodeName{3, 8, "invalid-next-hop-attribute"},
    SubcodeName{3, 9, "optional-attribute-error"},
    SubcodeName{3, 10, "invalid-network-field"},
    SubcodeName{3, 11, "malformed-as-path"},
    SubcodeName{4, 0, "unspecific"},
    SubcodeName{5, 0, "unspecified"},
    SubcodeName{5, 1, "unexpected-message-in-open-sent"},
    SubcodeName{5, 2, "unexpected-message-in-open-confirm"},
    SubcodeName{5, 3, "unexpected-message-in-established"},
    SubcodeName{6, 0, "unspecific"},
    SubcodeName{6, 1, "maximum-number-of-prefixes-reached"},
    SubcodeName{6, 2, "administrative-shutdown"},
    SubcodeName{6, 3, "peer-deconfigured"},
    SubcodeName{6, 4, "administrative-reset"},
    SubcodeName{6, 5, "connection-rejected"},
    SubcodeName{6, 6, "other-configuration-change"},
    SubcodeName{6, 7, "connection-collision-resolution"},
    SubcodeName{6, 8, "out-of-resources"},
    SubcodeName{6, 9, "hard-reset"},
    SubcodeName{6, 10, "bfd-down"},
    SubcodeName{7, 0, "reserved"},
    SubcodeName{7, 1, "invalid-message-length"},
};

constexpr std::array<std::string_view, 8> kCodeNames = {
    "",
    "message-header-error",
    "open-message-error",
    "update-message-error",
    "hold-timer-expired",
    "fsm-error",
    "cease",
    "route-refresh-message-error",
};

Notification make(ErrorCode code, std::uint8_t subcode, std::vector<std::uint8_t> data) {
  return Notification{std::to_underlying(code), subcode, std::move(data)};
}

// Bytes of the longest prefix of text, at most limit long, that ends on a character boundary.
std::size_t utf8Prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) {
    return text.size();
  }
  std::size_t end = limit;
  // Continuation bytes are 10xxxxxx: back up until the cut no longer splits a character.
  while (end > 0 && (static_cast<std::uint8_t>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return end;
}

}  // namespace

Notification Notification::of(HeaderError subcode, std::vector<std::uint8_t> data) {
  return make(ErrorCode::MessageHeader, std::to_underlying(subcode), std::move(data));
}

Notification Notification::of(OpenError subcode, std::vector<std::uint8_t> data) {
  return make(ErrorCode::OpenMessage, std::to_underlying(subcode), std::move(data));
}

Notification Notification::of(UpdateError subcode, std::vector<std::uint8_t> data) {
  return make(ErrorCode::UpdateMessage, std::to_underlying(subcode), std::move(data));
}

Notification Notification::of(FsmError subcode, std::vector<std::uint8_t> data) {
  return make(ErrorCode::FiniteStateMachine, std::to_underlying(subcode), std::move(data));
}

Notification Notification::of(CeaseError subcode, std::vector<std::uint8_t> data) {
  return make(ErrorCode::Cease, std::to_underlying(subcode), std::move(data));
}

Notification Notification::of(RouteRefreshError subcode, std::vector<std::uint8_t> data) {
  return make(ErrorCode::RouteRefreshMessage, std::to_underlying(subcode), std::move(data));
}

Notification Notification::holdTimerExpired() {
  return make(ErrorCode::HoldTimerExpired, kUnspecificSubcode, {});
}

Notification Notification::shutdown(CeaseError subcode, std::string_view message) {
  const std::size_t length = utf8Prefix(message, kMaxShutdownCommunication);
  std::vector<std::uint8_t> data;
  data.reserve(length + 1);
  data.push_back(static_cast<std::uint8_t>(length));
  data.insert(data.end(), message.begin(), message.begin() + static_cast<std::ptrdiff_t>(length));
  return of(subcode, std::move(data));
}

std::optional<std::string> Notification::shutdownCommunication() const {
  const bool carries_one = code == std::to_underlying(ErrorCode::Cease) &&
                           (subcode == std::to_underlying(CeaseError::AdministrativeShutdown) ||
                            subcode == std::to_underlying(CeaseError::AdministrativeReset));
  if (!carries_one || data.empty()) {
    return std::nullopt;
  }

  // RFC 9003 3: the length must fit in the data, and the text must be UTF-8.
  const std::size_t length = data[0];
  if (length + 1 > data.size()) {
    return std::nullopt;
  }
  const auto text = std::span(data).subspan(1, length);
  if (!isValidUtf8(text)) {
    return std::nullopt;
  }
  return std::string(text.begin(), text.end());
}

std::string Notification::name() const {
  return notificationName(code, subcode);
}

std::string_view errorCodeName(std::uint8_t code) {
  return code < kCodeNames.size() ? kCodeNames[code] : std::string_view();
}

std::string notificationName(std::uint8_t code, std::uint8_t subcode) {
  const std::string_view code_name = errorCodeName(code);
  std::string name = code_name.empty() ? "code-" + std::to_string(code) : std::string(code_name);
  name += '/';
  for (const SubcodeName& entry : kSubcodeNames) {
    if (entry.code == code && entry.subcode == subcode) {
      return name.append(entry.name);
    }
  }
  return name + "subcode-" + std::to_string(subcode);
}

bool isValidUtf8(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::uint8_t lead = bytes[i];
    std::size_t extra = 0;
    std::uint32_t value = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      value = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      value = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      value = lead & 0x07u;
    } else {
      return false;
    }
    if (i + extra >= bytes.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) {
        return false;
      }
      value = (value << 6) | (bytes[i + k] & 0x3Fu);
    }

    // Reject overlong forms, UTF-16 surrogates and values past Unicode's range.
    constexpr std::array<std::uint32_t, 4> kMinimum = {0, 0x80, 0x800, 0x10000};
    if (value < kMinimum[extra] || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace vipd::bgp
