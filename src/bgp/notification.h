// The NOTIFICATION message (RFC 4271 4.5) and every error code and subcode BGP-4 defines,
// with stable names for logs ("cease/administrative-shutdown").
//
// Codes and subcodes: RFC 4271 4.5 and 6; OPEN subcode 7 from RFC 5492, 11 from RFC 9234;
// FSM subcodes from RFC 6608; Cease subcodes from RFC 4486, 9 from RFC 8538, 10 from
// RFC 9384; ROUTE-REFRESH code 7 from RFC 7313. Shutdown communication: RFC 8203 as
// revised by RFC 9003 (a length octet, then at most 255 octets of UTF-8).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::bgp {

enum class ErrorCode : std::uint8_t {
  MessageHeader = 1,
  OpenMessage = 2,
  UpdateMessage = 3,
  HoldTimerExpired = 4,
  FiniteStateMachine = 5,
  Cease = 6,
  RouteRefreshMessage = 7,  // RFC 7313
};

// Subcode 0 is "unspecific" under every code (RFC 4271 6.2 uses it for a malformed optional
// parameter; RFC 4486 and RFC 6608 for a Cease or FSM error without detail).
inline constexpr std::uint8_t kUnspecificSubcode = 0;

enum class HeaderError : std::uint8_t {
  ConnectionNotSynchronized = 1,
  BadMessageLength = 2,
  BadMessageType = 3,
};

enum class OpenError : std::uint8_t {
  Unspecific = 0,
  UnsupportedVersionNumber = 1,
  BadPeerAs = 2,
  BadBgpIdentifier = 3,
  UnsupportedOptionalParameter = 4,
  // 5 (authentication failure) is deprecated.
  UnacceptableHoldTime = 6,
  UnsupportedCapability = 7,  // RFC 5492
  RoleMismatch = 11,          // RFC 9234
};

enum class UpdateError : std::uint8_t {
  Unspecific = 0,
  MalformedAttributeList = 1,
  UnrecognizedWellKnownAttribute = 2,
  MissingWellKnownAttribute = 3,
  AttributeFlagsError = 4,
  AttributeLengthError = 5,
  InvalidOriginAttribute = 6,
  // 7 (AS routing loop) is deprecated.
  InvalidNextHopAttribute = 8,
  OptionalAttributeError = 9,
  InvalidNetworkField = 10,
  MalformedAsPath = 11,
};

enum class FsmError : std::uint8_t {  // RFC 6608
  Unspecified = 0,
  UnexpectedMessageInOpenSent = 1,
  UnexpectedMessageInOpenConfirm = 2,
  UnexpectedMessageInEstablished = 3,
};

enum class CeaseError : std::uint8_t {  // RFC 4486
  Unspecific = 0,
  MaximumNumberOfPrefixesReached = 1,
  AdministrativeShutdown = 2,
  PeerDeconfigured = 3,
  AdministrativeReset = 4,
  ConnectionRejected = 5,
  OtherConfigurationChange = 6,
  ConnectionCollisionResolution = 7,
  OutOfResources = 8,
  HardReset = 9,  // RFC 8538
  BfdDown = 10,   // RFC 9384
};

enum class RouteRefreshError : std::uint8_t {  // RFC 7313 5
  InvalidMessageLength = 1,
};

// RFC 9003 2: the longest shutdown communication, in octets of UTF-8.
inline constexpr std::size_t kMaxShutdownCommunication = 255;

struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;

  // Builders that take the subcode's enum, so that code and subcode always agree.
  static Notification of(HeaderError subcode, std::vector<std::uint8_t> data = {});
  static Notification of(OpenError subcode, std::vector<std::uint8_t> data = {});
  static Notification of(UpdateError subcode, std::vector<std::uint8_t> data = {});
  static Notification of(FsmError subcode, std::vector<std::uint8_t> data = {});
  static Notification of(CeaseError subcode, std::vector<std::uint8_t> data = {});
  static Notification of(RouteRefreshError subcode, std::vector<std::uint8_t> data = {});
  static Notification holdTimerExpired();

  // A Cease with a shutdown communication (RFC 9003): subcode AdministrativeShutdown or
  // AdministrativeReset, the message cut to 255 octets at a UTF-8 character boundary.
  static Notification shutdown(CeaseError subcode, std::string_view message);

  // The shutdown communication of an administrative shutdown or reset, when its data holds
  // a well-formed one (RFC 9003 2: length octet within the data, valid UTF-8); nullopt
  // otherwise. A malformed one is no error (RFC 9003 3): log the data as hex instead.
  std::optional<std::string> shutdownCommunication() const;

  // "cease/administrative-shutdown", "update-message-error/malformed-as-path".
  std::string name() const;

  bool operator==(const Notification&) const = default;
};

// The stable name of an error code and subcode; unknown values are spelled as numbers
// ("cease/subcode-42", "code-9/subcode-1").
std::string notificationName(std::uint8_t code, std::uint8_t subcode);
std::string_view errorCodeName(std::uint8_t code);

// Whether bytes are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool isValidUtf8(std::span<const std::uint8_t> bytes);

}  // namespace vipd::bgp
