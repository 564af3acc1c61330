// UpdatePacker: turns routes into as few UPDATE messages as the maximum message size allows
// (4096 octets, or 65535 with extended messages: RFC 8654), appending them to one buffer
// ready to write to the socket. Prefixes announced with one set of attributes share
// messages; IPv4 goes in the NLRI and withdrawn routes fields, IPv6 in MP_REACH_NLRI and
// MP_UNREACH_NLRI (RFC 4760), placed first among the attributes (RFC 7606 5.1).
//
// The attributes are encoded once per announce() and copied into each message; prefixes are
// written straight into the output, which grows once per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <vector>

#include "bgp/byte_writer.h"
#include "bgp/codec_context.h"
#include "bgp/encode_error.h"
#include "bgp/message.h"

namespace vipd::bgp {

class UpdatePacker {
 public:
  // Appends to out, which must outlive the packer.
  UpdatePacker(const CodecContext& context, std::vector<std::uint8_t>& out);

  // Withdraws prefixes: IPv4 ones in the withdrawn routes field, IPv6 ones in
  // MP_UNREACH_NLRI, as many per UPDATE as fit. Prefixes of a family the session did not
  // negotiate are skipped.
  void withdraw(std::span<const Prefix> prefixes);

  // Announces prefixes with attributes: IPv4 ones in the NLRI field with
  // attributes.next_hop, IPv6 ones in MP_REACH_NLRI with the next hop(s) of
  // attributes.mp_reach (whose own nlri and whose presence in IPv4 messages are ignored), as
  // many per UPDATE as fit. Fails, appending nothing, without ORIGIN or AS_PATH
  // (RFC 4271 5, RFC 4760 3), without the next hop a family needs, for a family the session
  // did not negotiate, or when the attributes leave no room for a prefix.
  std::expected<void, EncodeError> announce(const PathAttributes& attributes,
                                            std::span<const Prefix> prefixes);

  // The End-of-RIB marker of a family (RFC 4724 2).
  void endOfRib(Afi afi);

  // UPDATE messages appended so far.
  std::size_t messages() const { return messages_; }

 private:
  std::expected<void, EncodeError> check(const PathAttributes& attributes,
                                         std::span<const Prefix> prefixes) const;
  void withdrawIpv4(std::span<const Prefix> prefixes);
  void withdrawIpv6(std::span<const Prefix> prefixes);
  void announceIpv4(std::span<const Prefix> prefixes);
  void announceIpv6(const MpReach& reach, std::span<const Prefix> prefixes);

  CodecContext context_;
  ByteWriter out_;
  std::size_t messages_ = 0;
  // The encoded attributes of the current announce(), for its IPv4 and its IPv6 messages;
  // kept to reuse their memory.
  std::vector<std::uint8_t> attributes_;
  std::vector<std::uint8_t> ipv6_attributes_;
};

// Prefixes that share one set of attributes.
struct Announcement {
  PathAttributes attributes;
  std::vector<Prefix> prefixes;
};

// Withdrawals, then each announcement, with one UpdatePacker; returns the number of UPDATEs
// appended to out. On failure out is as it was.
std::expected<std::size_t, EncodeError> encodeUpdates(std::span<const Announcement> announcements,
                                                      std::span<const Prefix> withdrawals,
                                                      const CodecContext& context,
                                                      std::vector<std::uint8_t>& out);

}  // namespace vipd::bgp
