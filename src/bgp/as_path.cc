#include "bgp/as_path.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "bgp/byte_reader.h"

namespace vipd::bgp {
namespace {

constexpr std::size_t kMaxSegmentAsns = 255;

bool isConfederation(SegmentType type) {
  return type == SegmentType::ConfedSequence || type == SegmentType::ConfedSet;
}

bool isSequence(SegmentType type) {
  return type == SegmentType::AsSequence || type == SegmentType::ConfedSequence;
}

std::size_t countOf(const AsPathSegment& segment) {
  if (isConfederation(segment.type)) {
    return 0;
  }
  return segment.type == SegmentType::AsSet ? 1 : segment.asns.size();
}

// How toString() marks a segment of each type.
std::pair<std::string_view, std::string_view> brackets(SegmentType type) {
  switch (type) {
    case SegmentType::AsSet:
      return {"{", "}"};
    case SegmentType::ConfedSequence:
      return {"(", ")"};
    case SegmentType::ConfedSet:
      return {"[", "]"};
    case SegmentType::AsSequence:
      break;
  }
  return {"", ""};
}

}  // namespace

AsPath::AsPath(std::vector<AsPathSegment> segments) : segments_(std::move(segments)) {
  normalize();
}

AsPath AsPath::sequence(std::vector<std::uint32_t> asns) {
  return AsPath({AsPathSegment{SegmentType::AsSequence, std::move(asns)}});
}

void AsPath::normalize() {
  std::vector<AsPathSegment> joined;
  joined.reserve(segments_.size());
  for (AsPathSegment& segment : segments_) {
    if (segment.asns.empty()) {
      continue;
    }
    if (!joined.empty() && joined.back().type == segment.type && isSequence(segment.type)) {
      auto& asns = joined.back().asns;
      asns.insert(asns.end(), segment.asns.begin(), segment.asns.end());
      continue;
    }
    joined.push_back(std::move(segment));
  }
  segments_ = std::move(joined);
}

std::size_t AsPath::length() const {
  std::size_t length = 0;
  for (const AsPathSegment& segment : segments_) {
    length += countOf(segment);
  }
  return length;
}

std::optional<std::uint32_t> AsPath::firstAs() const {
  if (segments_.empty() || segments_.front().type != SegmentType::AsSequence) {
    return std::nullopt;
  }
  return segments_.front().asns.front();
}

bool AsPath::contains(std::uint32_t asn) const {
  return std::ranges::any_of(segments_, [asn](const AsPathSegment& segment) {
    return std::ranges::find(segment.asns, asn) != segment.asns.end();
  });
}

bool AsPath::needsFourOctets() const {
  return std::ranges::any_of(segments_, [](const AsPathSegment& segment) {
    return !isConfederation(segment.type) &&
           std::ranges::any_of(segment.asns, [](std::uint32_t asn) { return asn > 0xFFFF; });
  });
}

void AsPath::prepend(std::uint32_t asn) {
  if (!segments_.empty() && segments_.front().type == SegmentType::AsSequence) {
    auto& asns = segments_.front().asns;
    asns.insert(asns.begin(), asn);
    return;
  }
  segments_.insert(segments_.begin(), AsPathSegment{SegmentType::AsSequence, {asn}});
}

AsPath AsPath::withoutConfederations() const {
  std::vector<AsPathSegment> kept;
  for (const AsPathSegment& segment : segments_) {
    if (!isConfederation(segment.type)) {
      kept.push_back(segment);
    }
  }
  return AsPath(std::move(kept));
}

AsPath AsPath::merge(const AsPath& as_path, const AsPath& as4_path) {
  // RFC 6793 4.2.3: an AS4_PATH longer than the AS_PATH is ignored.
  const std::size_t total = as_path.length();
  if (total < as4_path.length()) {
    return as_path;
  }

  // Take as many leading ASes of AS_PATH as AS4_PATH lacks, and confederation segments that
  // lead or follow a taken segment; then the whole AS4_PATH.
  std::size_t needed = total - as4_path.length();
  std::vector<AsPathSegment> merged;
  bool previous_taken = true;
  for (const AsPathSegment& segment : as_path.segments_) {
    if (isConfederation(segment.type)) {
      if (!previous_taken) {
        break;
      }
      merged.push_back(segment);
      continue;
    }
    if (needed == 0) {
      previous_taken = false;
      continue;
    }
    if (segment.type == SegmentType::AsSet) {
      merged.push_back(segment);
      --needed;
      continue;
    }
    const std::size_t taken = std::min(needed, segment.asns.size());
    const auto first = segment.asns.begin();
    merged.push_back(
        AsPathSegment{segment.type, {first, first + static_cast<std::ptrdiff_t>(taken)}});
    needed -= taken;
  }

  merged.insert(merged.end(), as4_path.segments_.begin(), as4_path.segments_.end());
  return AsPath(std::move(merged));
}

std::size_t AsPath::encodedSize(AsWidth width) const {
  std::size_t size = 0;
  for (const AsPathSegment& segment : segments_) {
    const std::size_t pieces = (segment.asns.size() + kMaxSegmentAsns - 1) / kMaxSegmentAsns;
    size += pieces * 2 + segment.asns.size() * static_cast<std::size_t>(width);
  }
  return size;
}

void AsPath::encode(ByteWriter& out, AsWidth width) const {
  for (const AsPathSegment& segment : segments_) {
    for (std::size_t start = 0; start < segment.asns.size(); start += kMaxSegmentAsns) {
      const std::size_t count = std::min(kMaxSegmentAsns, segment.asns.size() - start);
      out.u8(static_cast<std::uint8_t>(segment.type));
      out.u8(static_cast<std::uint8_t>(count));
      for (std::size_t i = start; i < start + count; ++i) {
        const std::uint32_t asn = segment.asns[i];
        if (width == AsWidth::Four) {
          out.u32(asn);
        } else {
          out.u16(static_cast<std::uint16_t>(asn > 0xFFFF ? kAsTrans : asn));
        }
      }
    }
  }
}

std::expected<AsPath, std::string> AsPath::decode(std::span<const std::uint8_t> value,
                                                  AsWidth width) {
  ByteReader in(value);
  std::vector<AsPathSegment> segments;
  while (!in.empty()) {
    const auto type = in.u8();
    const auto count = in.u8();
    if (!count) {
      return std::unexpected("a single octet left after the last segment");
    }
    if (*type < 1 || *type > 4) {
      return std::unexpected("unknown segment type " + std::to_string(*type));
    }
    if (*count == 0) {
      return std::unexpected("a segment of length 0");
    }

    auto asns_field = in.sub(std::size_t{*count} * static_cast<std::size_t>(width));
    if (!asns_field) {
      return std::unexpected("segment of " + std::to_string(*count) +
                             " ASes overruns the attribute");
    }
    AsPathSegment segment{static_cast<SegmentType>(*type), {}};
    segment.asns.reserve(*count);
    while (!asns_field->empty()) {
      const std::uint32_t asn = width == AsWidth::Four ? *asns_field->u32() : *asns_field->u16();
      if (asn == 0) {
        return std::unexpected("AS 0 in the path (RFC 7607)");
      }
      segment.asns.push_back(asn);
    }
    segments.push_back(std::move(segment));
  }
  return AsPath(std::move(segments));
}

std::string AsPath::toString() const {
  std::string text;
  for (const AsPathSegment& segment : segments_) {
    const auto [open, close] = brackets(segment.type);
    if (!text.empty()) {
      text += ' ';
    }
    text += open;
    for (std::size_t i = 0; i < segment.asns.size(); ++i) {
      if (i > 0) {
        text += ' ';
      }
      text += std::to_string(segment.asns[i]);
    }
    text += close;
  }
  return text;
}

}  // namespace vipd::bgp
