// libFuzzer target for the BGP codec (src/bgp). Built by tests/fuzz/run with clang, apart
// from the CMake build. For arbitrary bytes and several negotiated contexts it checks that:
//   - framing and decoding never crash, leak or overrun (the sanitizers watch);
//   - whatever decodes re-encodes, and decodes back to the same message;
//   - an UPDATE returned with a soft RFC 7606 error re-encodes to the same UPDATE;
//   - UpdatePacker carries a decoded UPDATE's IPv4 prefixes intact.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "bgp/codec.h"
#include "bgp/framing.h"
#include "bgp/update_packer.h"

namespace {

using namespace vipd::bgp;

CodecContext context(bool four_octet, bool extended, bool ipv4, bool ipv6) {
  CodecContext result;
  result.four_octet_as = four_octet;
  result.extended_messages = extended;
  result.ipv4_unicast = ipv4;
  result.ipv6_unicast = ipv6;
  return result;
}

const CodecContext kContexts[] = {
    context(true, false, true, true),
    context(false, false, true, true),
    context(true, true, true, false),
    context(false, true, false, true),
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "bgp_codec_fuzzer: %s\n", what);
  std::abort();
}

// The update a re-decoded message holds, whether it decoded cleanly or with a soft error.
const Update* updateOf(const std::expected<Message, DecodeError>& decoded) {
  if (decoded) {
    return std::get_if<Update>(&*decoded);
  }
  return decoded.error().update ? &*decoded.error().update : nullptr;
}

// Re-encoding may only fail for size, and only towards a 2-octet peer: AS4_PATH and
// AS4_AGGREGATOR are written in full, which a sender may have done more tightly.
void checkEncodeError(const EncodeError& error, const CodecContext& codec) {
  if (codec.four_octet_as || error.reason.find(" over ") == std::string::npos) {
    std::fprintf(stderr, "encode failed: %s\n", error.reason.c_str());
    fail("a decoded message did not re-encode");
  }
}

void checkRoundTrip(const Message& message, const CodecContext& codec) {
  const auto bytes = encode(message, codec);
  if (!bytes) {
    checkEncodeError(bytes.error(), codec);
    return;
  }
  const auto again = decode(*bytes, codec);
  if (!again) {
    std::fprintf(stderr, "re-decode failed: %s\n", again.error().toString().c_str());
    fail("a re-encoded message did not decode");
  }
  if (!(*again == message)) {
    fail("decode(encode(m)) != m");
  }
}

void checkSoftError(const DecodeError& error, const CodecContext& codec) {
  if (error.fatal() || error.section.empty() || error.reason.empty()) {
    fail("a soft error without its update, section or reason");
  }
  const auto bytes = encode(Message(*error.update), codec);
  if (!bytes) {
    checkEncodeError(bytes.error(), codec);
    return;
  }
  const auto again = decode(*bytes, codec);
  const Update* update = updateOf(again);
  if (update == nullptr || !(*update == *error.update)) {
    fail("the update of a soft error did not round-trip");
  }
}

// Packs the IPv4 routes of a decoded UPDATE and checks that they all come back.
void checkPacker(const Update& update, const CodecContext& codec) {
  PathAttributes attributes = update.attributes;
  attributes.mp_reach.reset();
  attributes.mp_unreach.reset();
  std::vector<std::uint8_t> out;
  UpdatePacker packer(codec, out);
  packer.withdraw(update.withdrawn);
  if (update.nlri.empty() || !packer.announce(attributes, update.nlri)) {
    attributes = PathAttributes{};
  }

  std::vector<Prefix> withdrawn;
  std::vector<Prefix> announced;
  std::span<const std::uint8_t> rest(out);
  while (!rest.empty()) {
    const auto size = nextMessageSize(rest, codec);
    if (!size || *size > rest.size()) {
      fail("UpdatePacker wrote a bad frame");
    }
    const auto decoded = decode(rest.first(*size), codec);
    if (!decoded) {
      fail("UpdatePacker wrote an UPDATE that does not decode");
    }
    const Update& packed = std::get<Update>(*decoded);
    withdrawn.insert(withdrawn.end(), packed.withdrawn.begin(), packed.withdrawn.end());
    announced.insert(announced.end(), packed.nlri.begin(), packed.nlri.end());
    rest = rest.subspan(*size);
  }
  if (withdrawn != update.withdrawn) {
    fail("UpdatePacker lost withdrawals");
  }
  if (attributes.origin && announced != update.nlri) {
    fail("UpdatePacker lost announcements");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (const CodecContext& codec : kContexts) {
    (void)nextMessageSize(input, codec);
    const auto decoded = decode(input, codec);
    if (decoded) {
      checkRoundTrip(*decoded, codec);
      if (const auto* update = std::get_if<Update>(&*decoded)) {
        checkPacker(*update, codec);
      }
      continue;
    }
    (void)decoded.error().toString();
    if (!decoded.error().fatal()) {
      checkSoftError(decoded.error(), codec);
    } else if (decoded.error().update) {
      fail("a session reset with an update");
    }
  }
  return 0;
}
