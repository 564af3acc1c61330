// EncodeError: why a message could not be encoded: it would exceed the maximum message size,
// or a field cannot be written in its wire form (an IPv6 prefix in an IPv4 field, a
// capability longer than 255 octets). Nothing is appended to the output then.
#pragma once

#include <string>

namespace vipd::bgp {

struct EncodeError {
  std::string reason;
};

}  // namespace vipd::bgp
