#include "bgp/prefix_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace vipd::bgp {
namespace {

// A prefix with the position it had before the sort, to check stability.
struct Item {
  Prefix prefix = *Prefix::parse("0.0.0.0/0");
  std::size_t position = 0;
};

Prefix randomPrefix(std::mt19937& engine, bool narrow) {
  const auto random = [&engine] { return static_cast<std::uint32_t>(engine()); };
  const bool v4 = random() % 3 != 0;
  const std::uint32_t word = narrow ? (198u << 24) | (18u << 16) | (random() % 4096) : random();
  std::string text;
  if (v4) {
    text = std::to_string(word >> 24) + "." + std::to_string((word >> 16) & 255) + "." +
           std::to_string((word >> 8) & 255) + "." + std::to_string(word & 255) + "/" +
           std::to_string(narrow ? 32 : 24 + random() % 9);
  } else {
    std::array<char, 48> v6{};
    std::snprintf(v6.data(), v6.size(), "2001:db8:%x::%x/%u", random() % 16, word % 65536,
                  narrow ? 128u : 112u + random() % 17);
    text = v6.data();
  }
  // A host part set beyond the length is not a prefix: keep the ones that parse.
  auto prefix = Prefix::parse(text);
  return prefix ? *prefix : *Prefix::parse("192.0.2.0/24");
}

// The same order as a stable sort by Prefix's operator<=>, equal prefixes kept in their order.
void expectSortedLikeStableSort(std::vector<Item> items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i].position = i;
  }
  std::vector<Item> expected = items;
  std::ranges::stable_sort(expected, {}, &Item::prefix);

  sortByPrefixKey(items, [](const Item& item) { return item.prefix.sortKey(); });

  ASSERT_EQ(items.size(), expected.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].prefix, expected[i].prefix) << i;
    EXPECT_EQ(items[i].position, expected[i].position) << i;
  }
}

TEST(PrefixSort, SortsMixedFamiliesAndLengthsLikeAStableSort) {
  std::mt19937 random(7);
  for (const std::size_t size : {0u, 1u, 2u, 100u, 256u, 257u, 5000u}) {
    std::vector<Item> items(size);
    for (Item& item : items) {
      item.prefix = randomPrefix(random, false);
    }
    expectSortedLikeStableSort(items);
  }
}

TEST(PrefixSort, SortsHostRoutesThatDifferInFewBytes) {
  std::mt19937 random(11);
  std::vector<Item> items(20000);
  for (Item& item : items) {
    item.prefix = randomPrefix(random, true);  // many repeats among 4,096 of each family
  }
  expectSortedLikeStableSort(items);
}

TEST(PrefixSort, LeavesEqualPrefixesInTheirOrder) {
  std::vector<Item> items(1000, Item{*Prefix::parse("198.18.0.1/32"), 0});
  expectSortedLikeStableSort(items);
}

}  // namespace
}  // namespace vipd::bgp
