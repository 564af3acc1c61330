// AttributeInterner: one shared, immutable copy of each distinct set of path attributes.
// The speaker gives every prefix of a peer the same few sets (thousands of VIPs, one or a
// handful of attribute sets), so its tables and route changes hold a pointer each instead
// of a copy with its vectors; and two interned sets are equal exactly when their pointers
// are, which makes comparing what a peer holds with what it is to have one pointer compare.
//
// The interner keeps no set alive: a set goes when its last holder lets it go, and its
// entry is dropped on the way (expired entries are swept as the table grows).
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bgp/path_attributes.h"

namespace vipd::bgp {

using SharedAttributes = std::shared_ptr<const PathAttributes>;

// A hash of every field of the attributes: equal sets hash equal.
std::size_t hashAttributes(const PathAttributes& attributes);

class AttributeInterner {
 public:
  // The shared copy equal to attributes: the one already held by someone, or a new one.
  SharedAttributes intern(PathAttributes attributes);

  // Distinct sets still held by someone.
  std::size_t size() const;

 private:
  void sweep();

  std::unordered_map<std::size_t, std::vector<std::weak_ptr<const PathAttributes>>> by_hash_;
  std::size_t entries_ = 0;
  std::size_t sweep_at_ = 16;
};

}  // namespace vipd::bgp
