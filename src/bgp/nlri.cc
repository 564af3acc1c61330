#include "bgp/nlri.h"

#include <array>
#include <cstring>

#include "bgp/byte_reader.h"

namespace vipd::bgp {

void encodePrefix(const Prefix& prefix, ByteWriter& out) {
  out.u8(prefix.length());
  out.bytes(std::span(prefix.address().bytes()).first(prefix.addressOctets()));
}

std::expected<void, std::string> decodePrefixes(std::span<const std::uint8_t> field,
                                                IpAddress::Family family,
                                                std::vector<Prefix>& out) {
  const bool v4 = family == IpAddress::Family::V4;
  const std::size_t max_length = v4 ? 32 : 128;
  ByteReader in(field);
  while (!in.empty()) {
    const std::size_t length = *in.u8();
    if (length > max_length) {
      return std::unexpected("prefix length " + std::to_string(length) + " over " +
                             std::to_string(max_length));
    }
    const auto octets = in.bytes((length + 7) / 8);
    if (!octets) {
      return std::unexpected("prefix of length " + std::to_string(length) + " overruns the field");
    }

    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), octets->data(), octets->size());
    const IpAddress address =
        v4 ? IpAddress::fromV4({bytes[0], bytes[1], bytes[2], bytes[3]}) : IpAddress::fromV6(bytes);
    // make() clears the trailing bits, whose value is irrelevant (RFC 4271 4.3).
    out.push_back(*Prefix::make(address, static_cast<int>(length)));
  }
  return {};
}

}  // namespace vipd::bgp
