#include "bgp/notification.h"

#include <gtest/gtest.h>

#include <string>

#include "hex.h"

namespace vipd::bgp {
namespace {

TEST(Notification, NamesEveryCodeAndSubcodeForLogs) {
  const struct {
    Notification notification;
    const char* name;
  } cases[] = {
      {Notification::of(HeaderError::ConnectionNotSynchronized),
       "message-header-error/connection-not-synchronized"},
      {Notification::of(HeaderError::BadMessageLength), "message-header-error/bad-message-length"},
      {Notification::of(HeaderError::BadMessageType), "message-header-error/bad-message-type"},
      {Notification::of(OpenError::Unspecific), "open-message-error/unspecific"},
      {Notification::of(OpenError::UnsupportedVersionNumber),
       "open-message-error/unsupported-version-number"},
      {Notification::of(OpenError::BadPeerAs), "open-message-error/bad-peer-as"},
      {Notification::of(OpenError::BadBgpIdentifier), "open-message-error/bad-bgp-identifier"},
      {Notification::of(OpenError::UnsupportedOptionalParameter),
       "open-message-error/unsupported-optional-parameter"},
      {Notification::of(OpenError::UnacceptableHoldTime),
       "open-message-error/unacceptable-hold-time"},
      {Notification::of(OpenError::UnsupportedCapability),
       "open-message-error/unsupported-capability"},
      {Notification::of(OpenError::RoleMismatch), "open-message-error/role-mismatch"},
      {Notification::of(UpdateError::MalformedAttributeList),
       "update-message-error/malformed-attribute-list"},
      {Notification::of(UpdateError::UnrecognizedWellKnownAttribute),
       "update-message-error/unrecognized-well-known-attribute"},
      {Notification::of(UpdateError::MissingWellKnownAttribute),
       "update-message-error/missing-well-known-attribute"},
      {Notification::of(UpdateError::AttributeFlagsError),
       "update-message-error/attribute-flags-error"},
      {Notification::of(UpdateError::AttributeLengthError),
       "update-message-error/attribute-length-error"},
      {Notification::of(UpdateError::InvalidOriginAttribute),
       "update-message-error/invalid-origin-attribute"},
      {Notification::of(UpdateError::InvalidNextHopAttribute),
       "update-message-error/invalid-next-hop-attribute"},
      {Notification::of(UpdateError::OptionalAttributeError),
       "update-message-error/optional-attribute-error"},
      {Notification::of(UpdateError::InvalidNetworkField),
       "update-message-error/invalid-network-field"},
      {Notification::of(UpdateError::MalformedAsPath), "update-message-error/malformed-as-path"},
      {Notification::holdTimerExpired(), "hold-timer-expired/unspecific"},
      {Notification::of(FsmError::UnexpectedMessageInOpenSent),
       "fsm-error/unexpected-message-in-open-sent"},
      {Notification::of(FsmError::UnexpectedMessageInOpenConfirm),
       "fsm-error/unexpected-message-in-open-confirm"},
      {Notification::of(FsmError::UnexpectedMessageInEstablished),
       "fsm-error/unexpected-message-in-established"},
      {Notification::of(CeaseError::MaximumNumberOfPrefixesReached),
       "cease/maximum-number-of-prefixes-reached"},
      {Notification::of(CeaseError::AdministrativeShutdown), "cease/administrative-shutdown"},
      {Notification::of(CeaseError::PeerDeconfigured), "cease/peer-deconfigured"},
      {Notification::of(CeaseError::AdministrativeReset), "cease/administrative-reset"},
      {Notification::of(CeaseError::ConnectionRejected), "cease/connection-rejected"},
      {Notification::of(CeaseError::OtherConfigurationChange), "cease/other-configuration-change"},
      {Notification::of(CeaseError::ConnectionCollisionResolution),
       "cease/connection-collision-resolution"},
      {Notification::of(CeaseError::OutOfResources), "cease/out-of-resources"},
      {Notification::of(CeaseError::HardReset), "cease/hard-reset"},
      {Notification::of(CeaseError::BfdDown), "cease/bfd-down"},
      {Notification::of(RouteRefreshError::InvalidMessageLength),
       "route-refresh-message-error/invalid-message-length"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.notification.name(), c.name);
  }
}

TEST(Notification, SpellsUnknownCodesAndSubcodesAsNumbers) {
  EXPECT_EQ(notificationName(6, 42), "cease/subcode-42");
  EXPECT_EQ(notificationName(9, 1), "code-9/subcode-1");
  EXPECT_EQ(notificationName(0, 0), "code-0/subcode-0");
}

TEST(Notification, BuildsAShutdownCommunicationWithItsLengthOctet) {
  const Notification notification =
      Notification::shutdown(CeaseError::AdministrativeShutdown, "maintenance");
  EXPECT_EQ(notification.code, 6);
  EXPECT_EQ(notification.subcode, 2);
  EXPECT_EQ(testing::toHex(notification.data), "0b6d61696e74656e616e6365");
  EXPECT_EQ(notification.shutdownCommunication(), "maintenance");
}

TEST(Notification, CutsAShutdownCommunicationAt255OctetsOnACharacterBoundary) {
  // 127 two-octet characters (254 octets), then one more: 256 octets in all.
  std::string text;
  for (int i = 0; i < 128; ++i) {
    text += "\xC3\xA9";  // U+00E9
  }
  const Notification notification = Notification::shutdown(CeaseError::AdministrativeReset, text);
  EXPECT_EQ(notification.data[0], 254);
  EXPECT_EQ(notification.data.size(), 255u);
  EXPECT_EQ(notification.shutdownCommunication(), text.substr(0, 254));

  const std::string ascii(300, 'x');
  EXPECT_EQ(Notification::shutdown(CeaseError::AdministrativeShutdown, ascii).data[0], 255);
}

TEST(Notification, IgnoresAMalformedShutdownCommunication) {
  const struct {
    const char* name;
    Notification notification;
  } cases[] = {
      {"length past the data",
       Notification::of(CeaseError::AdministrativeShutdown, testing::hex("05 6162"))},
      {"not utf-8", Notification::of(CeaseError::AdministrativeShutdown, testing::hex("02 c328"))},
      {"no data", Notification::of(CeaseError::AdministrativeShutdown)},
      {"another subcode", Notification::of(CeaseError::PeerDeconfigured, testing::hex("01 61"))},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(c.notification.shutdownCommunication().has_value()) << c.name;
  }
}

TEST(Notification, ValidatesUtf8) {
  const struct {
    const char* hex;
    bool valid;
  } cases[] = {
      {"", true},          {"41", true},       {"c3a9", true},
      {"e282ac", true},    {"f09f9880", true}, {"80", false},  // a lone continuation
      {"c3", false},                                           // truncated
      {"c0af", false},                                         // overlong '/'
      {"e080af", false},                                       // overlong
      {"eda080", false},                                       // surrogate U+D800
      {"f4908080", false},                                     // past U+10FFFF
      {"ff", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(isValidUtf8(testing::hex(c.hex)), c.valid) << c.hex;
  }
}

}  // namespace
}  // namespace vipd::bgp
