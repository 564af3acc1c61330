#include "bgp/update_packer.h"

#include <algorithm>
#include <utility>

#include "bgp/attributes.h"
#include "bgp/framing.h"
#include "bgp/nlri.h"

namespace vipd::bgp {
namespace {

// Header, withdrawn routes length, total path attribute length.
constexpr std::size_t kUpdateFixedSize = kHeaderSize + 4;
// An MP attribute's header with an extended length, and AFI, SAFI.
constexpr std::size_t kMpHeaderSize = 4 + 3;
constexpr std::size_t kLargestPrefix = 17;

// Walks the prefixes of one family in a span that may mix both.
class FamilyCursor {
 public:
  FamilyCursor(std::span<const Prefix> prefixes, IpAddress::Family family)
      : prefixes_(prefixes), family_(family) {
    skipOthers();
  }

  bool done() const { return next_ == prefixes_.size(); }
  const Prefix& peek() const { return prefixes_[next_]; }
  void advance() {
    ++next_;
    skipOthers();
  }

  // How many of the next prefixes fit in room octets, and their size.
  std::pair<std::size_t, std::size_t> measure(std::size_t room) const {
    FamilyCursor copy = *this;
    std::size_t count = 0;
    std::size_t size = 0;
    while (!copy.done() && size + encodedPrefixSize(copy.peek()) <= room) {
      size += encodedPrefixSize(copy.peek());
      ++count;
      copy.advance();
    }
    return {count, size};
  }

  // Writes the next count prefixes.
  void write(std::size_t count, ByteWriter& out) {
    for (std::size_t i = 0; i < count; ++i) {
      encodePrefix(peek(), out);
      advance();
    }
  }

 private:
  void skipOthers() {
    while (next_ < prefixes_.size() && prefixes_[next_].family() != family_) {
      ++next_;
    }
  }

  std::span<const Prefix> prefixes_;
  IpAddress::Family family_;
  std::size_t next_ = 0;
};

bool hasFamily(std::span<const Prefix> prefixes, IpAddress::Family family) {
  return std::ranges::any_of(prefixes,
                             [family](const Prefix& prefix) { return prefix.family() == family; });
}

std::size_t nlriSize(std::span<const Prefix> prefixes) {
  std::size_t size = 0;
  for (const Prefix& prefix : prefixes) {
    size += encodedPrefixSize(prefix);
  }
  return size;
}

std::size_t nextHopLength(const MpReach& reach) {
  return reach.link_local ? 32 : 16;
}

}  // namespace

UpdatePacker::UpdatePacker(const CodecContext& context, std::vector<std::uint8_t>& out)
    : context_(context), out_(out) {}

void UpdatePacker::withdraw(std::span<const Prefix> prefixes) {
  // One growth of the output: the NLRI, and the fixed part of each message (MP_UNREACH_NLRI's
  // header included).
  const std::size_t nlri = nlriSize(prefixes);
  const std::size_t fixed = kUpdateFixedSize + kMpHeaderSize;
  out_.buffer().reserve(out_.size() + nlri +
                        (nlri / (context_.maxMessageSize() - fixed) + 2) * fixed);
  if (context_.ipv4_unicast) {
    withdrawIpv4(prefixes);
  }
  if (context_.ipv6_unicast) {
    withdrawIpv6(prefixes);
  }
}

void UpdatePacker::withdrawIpv4(std::span<const Prefix> prefixes) {
  FamilyCursor cursor(prefixes, IpAddress::Family::V4);
  while (!cursor.done()) {
    const auto [count, size] = cursor.measure(context_.maxMessageSize() - kUpdateFixedSize);
    const std::size_t start = beginMessage(out_, MessageType::Update);
    out_.u16(static_cast<std::uint16_t>(size));
    cursor.write(count, out_);
    out_.u16(0);
    finishMessage(out_, start);
    ++messages_;
  }
}

void UpdatePacker::withdrawIpv6(std::span<const Prefix> prefixes) {
  FamilyCursor cursor(prefixes, IpAddress::Family::V6);
  while (!cursor.done()) {
    const std::size_t room = context_.maxMessageSize() - kUpdateFixedSize - kMpHeaderSize;
    const auto [count, size] = cursor.measure(room);
    const std::size_t start = beginMessage(out_, MessageType::Update);
    out_.u16(0);
    const std::size_t attributes_at = out_.placeholderU16();
    writeAttributeHeader(out_, kFlagOptional, std::to_underlying(AttributeType::MpUnreachNlri),
                         3 + size);
    out_.u16(std::to_underlying(Afi::Ipv6));
    out_.u8(std::to_underlying(Safi::Unicast));
    cursor.write(count, out_);
    out_.patchU16(attributes_at, static_cast<std::uint16_t>(out_.size() - attributes_at - 2));
    finishMessage(out_, start);
    ++messages_;
  }
}

std::expected<void, EncodeError> UpdatePacker::check(const PathAttributes& attributes,
                                                     std::span<const Prefix> prefixes) const {
  if (!attributes.origin || !attributes.as_path) {
    return std::unexpected(EncodeError{"announce: ORIGIN and AS_PATH are mandatory"});
  }
  if (hasFamily(prefixes, IpAddress::Family::V4)) {
    if (!context_.ipv4_unicast) {
      return std::unexpected(EncodeError{"announce: ipv4-unicast not negotiated"});
    }
    if (!attributes.next_hop || !attributes.next_hop->isV4()) {
      return std::unexpected(EncodeError{"announce: IPv4 prefixes need an IPv4 NEXT_HOP"});
    }
  }
  if (hasFamily(prefixes, IpAddress::Family::V6)) {
    if (!context_.ipv6_unicast) {
      return std::unexpected(EncodeError{"announce: ipv6-unicast not negotiated"});
    }
    const auto& reach = attributes.mp_reach;
    if (!reach || reach->afi != Afi::Ipv6 || !reach->next_hop.isV6() ||
        (reach->link_local && !reach->link_local->isV6())) {
      return std::unexpected(
          EncodeError{"announce: IPv6 prefixes need an IPv6 next hop in mp_reach"});
    }
  }
  return {};
}

std::expected<void, EncodeError> UpdatePacker::announce(const PathAttributes& attributes,
                                                        std::span<const Prefix> prefixes) {
  if (auto checked = check(attributes, prefixes); !checked) {
    return checked;
  }
  const bool ipv4 = hasFamily(prefixes, IpAddress::Family::V4);
  const bool ipv6 = hasFamily(prefixes, IpAddress::Family::V6);

  // IPv4 messages carry every attribute but the MP ones, NEXT_HOP included; IPv6 ones no
  // NEXT_HOP (RFC 4760 3) and an MP_REACH_NLRI of their own.
  std::size_t ipv6_fixed = 0;
  if (ipv4) {
    attributes_.clear();
    ByteWriter scratch(attributes_);
    encodeAttributes(attributes, context_, scratch, MpAttributes::Skip);
  }
  if (ipv6) {
    PathAttributes without_next_hop = attributes;
    without_next_hop.next_hop.reset();
    ipv6_attributes_.clear();
    ByteWriter scratch(ipv6_attributes_);
    encodeAttributes(without_next_hop, context_, scratch, MpAttributes::Skip);
    ipv6_fixed = ipv6_attributes_.size() + kMpHeaderSize + 2 + nextHopLength(*attributes.mp_reach);
  }
  const std::size_t fixed = kUpdateFixedSize + std::max(ipv4 ? attributes_.size() : 0, ipv6_fixed);
  if (fixed + kLargestPrefix > context_.maxMessageSize()) {
    return std::unexpected(EncodeError{"announce: attributes leave no room for a prefix"});
  }

  // One growth of the output for the whole call: the NLRI, and the fixed part per message.
  const std::size_t nlri = nlriSize(prefixes);
  const std::size_t messages = nlri / (context_.maxMessageSize() - fixed) + 2;
  out_.buffer().reserve(out_.size() + nlri + messages * fixed);
  if (ipv4) {
    announceIpv4(prefixes);
  }
  if (ipv6) {
    announceIpv6(*attributes.mp_reach, prefixes);
  }
  return {};
}

void UpdatePacker::announceIpv4(std::span<const Prefix> prefixes) {
  const std::size_t room = context_.maxMessageSize() - kUpdateFixedSize - attributes_.size();
  FamilyCursor cursor(prefixes, IpAddress::Family::V4);
  while (!cursor.done()) {
    const auto [count, size] = cursor.measure(room);
    const std::size_t start = beginMessage(out_, MessageType::Update);
    out_.u16(0);
    out_.u16(static_cast<std::uint16_t>(attributes_.size()));
    out_.bytes(attributes_);
    cursor.write(count, out_);
    finishMessage(out_, start);
    ++messages_;
  }
}

void UpdatePacker::announceIpv6(const MpReach& reach, std::span<const Prefix> prefixes) {
  const std::size_t next_hop_length = nextHopLength(reach);
  const std::size_t room = context_.maxMessageSize() - kUpdateFixedSize - ipv6_attributes_.size() -
                           kMpHeaderSize - 2 - next_hop_length;
  FamilyCursor cursor(prefixes, IpAddress::Family::V6);
  while (!cursor.done()) {
    const auto [count, size] = cursor.measure(room);
    const std::size_t start = beginMessage(out_, MessageType::Update);
    out_.u16(0);
    const std::size_t attributes_at = out_.placeholderU16();

    // MP_REACH_NLRI: AFI, SAFI, next hop length and next hop(s), reserved, NLRI (RFC 4760 3).
    writeAttributeHeader(out_, kFlagOptional, std::to_underlying(AttributeType::MpReachNlri),
                         5 + next_hop_length + size);
    out_.u16(std::to_underlying(Afi::Ipv6));
    out_.u8(std::to_underlying(Safi::Unicast));
    out_.u8(static_cast<std::uint8_t>(next_hop_length));
    out_.bytes(reach.next_hop.bytes());
    if (reach.link_local) {
      out_.bytes(reach.link_local->bytes());
    }
    out_.u8(0);
    cursor.write(count, out_);

    out_.bytes(ipv6_attributes_);
    out_.patchU16(attributes_at, static_cast<std::uint16_t>(out_.size() - attributes_at - 2));
    finishMessage(out_, start);
    ++messages_;
  }
}

void UpdatePacker::endOfRib(Afi afi) {
  const std::size_t start = beginMessage(out_, MessageType::Update);
  out_.u16(0);
  if (afi == Afi::Ipv4) {
    out_.u16(0);
  } else {
    out_.u16(6);
    writeAttributeHeader(out_, kFlagOptional, std::to_underlying(AttributeType::MpUnreachNlri), 3);
    out_.u16(std::to_underlying(afi));
    out_.u8(std::to_underlying(Safi::Unicast));
  }
  finishMessage(out_, start);
  ++messages_;
}

std::expected<std::size_t, EncodeError> encodeUpdates(std::span<const Announcement> announcements,
                                                      std::span<const Prefix> withdrawals,
                                                      const CodecContext& context,
                                                      std::vector<std::uint8_t>& out) {
  const std::size_t before = out.size();
  UpdatePacker packer(context, out);
  packer.withdraw(withdrawals);
  for (const Announcement& announcement : announcements) {
    if (auto announced = packer.announce(announcement.attributes, announcement.prefixes);
        !announced) {
      out.resize(before);
      return std::unexpected(std::move(announced.error()));
    }
  }
  return packer.messages();
}

}  // namespace vipd::bgp
