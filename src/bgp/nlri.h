// NLRI: prefixes on the wire (RFC 4271 4.3, RFC 4760 5): a length in bits, then as many
// octets of address as that length needs. The same form serves the withdrawn routes and
// NLRI fields of UPDATE and the prefixes in MP_REACH_NLRI and MP_UNREACH_NLRI.
#pragma once

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "bgp/byte_writer.h"
#include "bgp/prefix.h"
#include "common/ip_address.h"

namespace vipd::bgp {

inline std::size_t encodedPrefixSize(const Prefix& prefix) {
  return 1 + prefix.addressOctets();
}

void encodePrefix(const Prefix& prefix, ByteWriter& out);

// Appends the prefixes of a whole field of one family to out. The error names what makes
// the field syntactically incorrect (RFC 7606 5.3): a length past 32 (128 for IPv6), or a
// prefix overrunning the field.
std::expected<void, std::string> decodePrefixes(std::span<const std::uint8_t> field,
                                                IpAddress::Family family, std::vector<Prefix>& out);

}  // namespace vipd::bgp
