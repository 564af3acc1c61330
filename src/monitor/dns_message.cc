#include "monitor/dns_message.h"

#include <fmt/format.h>

#include <array>

namespace vipd::monitor {

namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxName = 255;  // wire form, length bytes included (RFC 1035 2.3.4)

void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

// Reads the message with bounds checked at every step.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> message) : message_(message) {}

  std::size_t offset() const { return offset_; }

  std::expected<std::uint16_t, std::string> read16(std::string_view what) {
    if (message_.size() - offset_ < 2) {
      return std::unexpected(fmt::format("{} cut short at byte {}", what, offset_));
    }
    const auto value = static_cast<std::uint16_t>((message_[offset_] << 8) | message_[offset_ + 1]);
    offset_ += 2;
    return value;
  }

  // N 16-bit fields in a row.
  template <std::size_t N>
  std::expected<std::array<std::uint16_t, N>, std::string> readFields(std::string_view what) {
    std::array<std::uint16_t, N> fields{};
    for (auto& field : fields) {
      const auto value = read16(what);
      if (!value) {
        return std::unexpected(value.error());
      }
      field = *value;
    }
    return fields;
  }

  std::expected<void, std::string> skip(std::size_t size, std::string_view what) {
    if (message_.size() - offset_ < size) {
      return std::unexpected(fmt::format("{} cut short at byte {}", what, offset_));
    }
    offset_ += size;
    return {};
  }

  // A name at the current offset, following compression pointers (RFC 1035 4.1.4). Each
  // pointer must point before where the labels it continues began, so that the jumps only go
  // backwards and cannot loop.
  std::expected<std::string, std::string> readName() {
    std::string name;
    std::size_t wire_size = 0;
    std::size_t at = offset_;
    std::size_t floor = offset_;
    bool jumped = false;
    for (;;) {
      if (at >= message_.size()) {
        return std::unexpected(fmt::format("name cut short at byte {}", at));
      }
      const std::uint8_t length = message_[at];
      if ((length & 0xc0) == 0xc0) {
        if (at + 1 >= message_.size()) {
          return std::unexpected(fmt::format("pointer cut short at byte {}", at));
        }
        const std::size_t target =
            static_cast<std::size_t>(((length & 0x3f) << 8) | message_[at + 1]);
        if (target >= floor) {
          return std::unexpected(fmt::format("pointer at byte {} does not point back", at));
        }
        if (!jumped) {
          offset_ = at + 2;
          jumped = true;
        }
        at = target;
        floor = target;
        continue;
      }
      if ((length & 0xc0) != 0) {
        return std::unexpected(fmt::format("reserved label type at byte {}", at));
      }

      wire_size += 1U + length;
      if (wire_size > kMaxName) {
        return std::unexpected("name longer than 255 bytes");
      }
      if (length == 0) {
        if (!jumped) {
          offset_ = at + 1;
        }
        return name;
      }
      if (message_.size() - at - 1 < length) {
        return std::unexpected(fmt::format("label cut short at byte {}", at));
      }
      if (!name.empty()) {
        name.push_back('.');
      }
      for (std::size_t i = 0; i < length; ++i) {
        const auto c = static_cast<char>(message_[at + 1 + i]);
        name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      }
      at += 1U + length;
    }
  }

 private:
  std::span<const std::uint8_t> message_;
  std::size_t offset_ = 0;
};

std::expected<void, std::string> readAnswers(Reader& reader, std::uint16_t count,
                                             DnsResponse& response) {
  for (std::uint16_t i = 0; i < count; ++i) {
    if (auto name = reader.readName(); !name) {
      return std::unexpected(name.error());
    }
    // TYPE, CLASS, TTL (two fields), RDLENGTH.
    const auto fields = reader.readFields<5>("answer");
    if (!fields) {
      return std::unexpected(fields.error());
    }
    const auto [type, klass, ttl_high, ttl_low, size] = *fields;
    if (auto data = reader.skip(size, "answer data"); !data) {
      return data;
    }
    if (type == response.question_type && klass == kDnsClassIn) {
      ++response.matching_answers;
    }
  }
  return {};
}

}  // namespace

std::expected<std::vector<std::uint8_t>, std::string> encodeDnsQuery(std::uint16_t id,
                                                                     std::string_view name,
                                                                     std::uint16_t type) {
  if (name.ends_with('.')) {
    name.remove_suffix(1);
  }
  if (name.empty()) {
    return std::unexpected("empty name");
  }

  std::vector<std::uint8_t> out;
  out.reserve(kHeaderSize + name.size() + 6);
  put16(out, id);
  put16(out, 0x0100);  // a query, opcode 0, recursion desired
  put16(out, 1);       // QDCOUNT
  put16(out, 0);
  put16(out, 0);
  put16(out, 0);

  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = std::min(name.find('.', start), name.size());
    const std::size_t length = dot - start;
    if (length == 0 || length > kMaxLabel) {
      return std::unexpected(fmt::format("label of {} bytes in \"{}\"", length, name));
    }
    out.push_back(static_cast<std::uint8_t>(length));
    out.insert(out.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
               name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  if (out.size() - kHeaderSize > kMaxName) {
    return std::unexpected(fmt::format("name longer than 255 bytes: \"{}\"", name));
  }

  put16(out, type);
  put16(out, kDnsClassIn);
  return out;
}

std::expected<DnsResponse, std::string> decodeDnsResponse(std::span<const std::uint8_t> message) {
  Reader reader(message);
  // ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
  const auto header = reader.readFields<6>("header");
  if (!header) {
    return std::unexpected(header.error());
  }
  const auto [id, flags, questions, answers, authorities, additionals] = *header;
  if ((flags & 0x8000) == 0) {
    return std::unexpected("not a response (QR clear)");
  }
  if (questions > 1) {
    return std::unexpected(fmt::format("{} questions", questions));
  }

  DnsResponse response;
  response.id = id;
  response.truncated = (flags & 0x0200) != 0;
  response.rcode = static_cast<std::uint8_t>(flags & 0x000f);
  response.answer_count = answers;

  if (questions == 1) {
    auto name = reader.readName();
    if (!name) {
      return std::unexpected(name.error());
    }
    const auto question = reader.readFields<2>("question");
    if (!question) {
      return std::unexpected(question.error());
    }
    response.question_name = std::move(*name);
    response.question_type = (*question)[0];
  }

  if (!response.truncated) {
    if (auto read = readAnswers(reader, answers, response); !read) {
      return std::unexpected(read.error());
    }
  }
  return response;
}

std::string dnsRcodeName(std::uint8_t rcode) {
  switch (rcode) {
    case kDnsNoError:
      return "NOERROR";
    case 1:
      return "FORMERR";
    case kDnsServFail:
      return "SERVFAIL";
    case kDnsNxDomain:
      return "NXDOMAIN";
    case 4:
      return "NOTIMP";
    case kDnsRefused:
      return "REFUSED";
    default:
      return fmt::format("RCODE {}", rcode);
  }
}

std::string dnsTypeName(std::uint16_t type) {
  switch (type) {
    case kDnsTypeA:
      return "A";
    case kDnsTypeAaaa:
      return "AAAA";
    default:
      return fmt::format("TYPE {}", type);
  }
}

}  // namespace vipd::monitor
