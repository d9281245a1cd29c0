// SPDX-License-Identifier: Apache-2.0
// Subnets and addresses from the two pools. IPv4: each LAN the smallest subnet that holds its
// members, gateway and broadcast; each veth pair a /31 (RFC 3021). IPv6: each LAN a /64, and the
// veth pairs /127s (RFC 6164) out of one /64 after them. Largest blocks first, so every block is
// aligned without gaps, and the same graph always gets the same addresses.
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <cstdint>

#include <fmt/format.h>

#include "nstopo/generate/lab_graph.h"

namespace nstopo::generate {
namespace {

/// `base` plus `high` in bits 64-127 and `low` in bits 0-63 (IPv6), or plus `low` (IPv4). The
/// callers keep each sum inside the pool, so no carry leaves its half.
IpAddress offsetFrom(const IpAddress& base, std::uint64_t high, std::uint64_t low, int prefix) {
  IpAddress out = base;
  out.prefix_len = prefix;
  const auto add = [&](std::size_t first, std::size_t bytes, std::uint64_t value) {
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
      word = (word << 8U) | out.bytes[first + i];
    }
    word += value;
    for (std::size_t i = bytes; i-- > 0;) {
      out.bytes[first + i] = static_cast<std::uint8_t>(word & 0xffU);
      word >>= 8U;
    }
  };
  if (base.family == AF_INET) {
    add(0, 4, low);
  } else {
    add(0, 8, high);
    add(8, 8, low);
  }
  return out;
}

Result<IpAddress> parsePool(const std::string& text, int family, const char* option) {
  const bool v4 = family == AF_INET;
  const auto pool = parseCidr(text);
  if (!pool || pool->family != family) {
    return fail(ErrorKind::kInvalidTopology,
                fmt::format("{} must be an {} prefix such as {}, got '{}'", option,
                            v4 ? "IPv4" : "IPv6", v4 ? "10.0.0.0/8" : "fd00::/48", text));
  }
  if (pool->network() != *pool) {
    return fail(ErrorKind::kInvalidTopology,
                fmt::format("{} {} has host bits set; did you mean {}?", option, text,
                            pool->network().cidr()));
  }
  return *pool;
}

/// Members of a LAN, with the gateway: the addresses it needs besides network and broadcast.
int v4LanPrefix(std::size_t members) {
  const auto block = std::bit_ceil(members + 2);
  return 32 - std::countr_zero(block);
}

std::string counted(std::size_t lans, std::size_t pairs) {
  std::vector<std::string> parts;
  if (lans > 0) {
    parts.push_back(fmt::format("{} LAN{}", lans, lans == 1 ? "" : "s"));
  }
  if (pairs > 0) {
    parts.push_back(fmt::format("{} point-to-point link{}", pairs, pairs == 1 ? "" : "s"));
  }
  return parts.size() == 2 ? parts[0] + " and " + parts[1] : parts.front();
}

/// The shortest prefix length whose block holds `addresses` (a power of two).
int prefixFor(std::uint64_t addresses, int max_prefix) {
  return max_prefix - std::countr_zero(std::bit_ceil(addresses));
}

Status assignV4(LabGraph& graph, const IpAddress& pool, std::size_t lans, std::size_t pairs) {
  struct Block {
    std::size_t segment;
    int prefix;
  };

  std::vector<Block> blocks;
  for (std::size_t i = 0; i < graph.segments.size(); ++i) {
    const auto& segment = graph.segments[i];
    blocks.push_back({i, segment.lan ? v4LanPrefix(segment.members.size()) : 31});
  }
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const Block& a, const Block& b) { return a.prefix < b.prefix; });
  std::uint64_t needed = 0;
  for (const auto& block : blocks) {
    needed += std::uint64_t{1} << static_cast<unsigned>(32 - block.prefix);
  }
  const std::uint64_t capacity = std::uint64_t{1} << static_cast<unsigned>(32 - pool.prefix_len);
  if (needed > capacity) {
    return fail(
        ErrorKind::kInvalidTopology,
        fmt::format("--pool4 {} is too small: this {} needs {} IPv4 addresses ({}); give a "
                    "/{} or larger",
                    pool.cidr(), graph.type, needed, counted(lans, pairs), prefixFor(needed, 32)));
  }
  std::uint64_t cursor = 0;
  for (const auto& block : blocks) {
    auto& segment = graph.segments[block.segment];
    segment.prefix4 = offsetFrom(pool, 0, cursor, block.prefix);
    // A LAN's addresses start at .1 (its gateway first); a /31 uses both of its two.
    std::uint64_t host = segment.lan ? 1 : 0;
    for (auto& member : segment.members) {
      member.v4 = offsetFrom(pool, 0, cursor + host++, block.prefix);
    }
    cursor += std::uint64_t{1} << static_cast<unsigned>(32 - block.prefix);
  }
  return {};
}

Status assignV6(LabGraph& graph, const IpAddress& pool, std::size_t lans, std::size_t pairs) {
  if (pool.prefix_len > 64) {
    return fail(ErrorKind::kInvalidTopology,
                fmt::format("--pool6 {} is too small: each LAN takes a /64, so the pool must be a "
                            "/64 or larger",
                            pool.cidr()));
  }
  const std::uint64_t needed = lans + (pairs > 0 ? 1 : 0);  // in /64s
  const auto spare_bits = static_cast<unsigned>(64 - pool.prefix_len);
  if (spare_bits < 63 && needed > (std::uint64_t{1} << spare_bits)) {
    return fail(ErrorKind::kInvalidTopology,
                fmt::format("--pool6 {} is too small: this {} needs {} /64 subnets ({}{}); give a "
                            "/{} or larger",
                            pool.cidr(), graph.type, needed, counted(lans, 0),
                            pairs > 0 ? fmt::format(", and one for the {} /127s", pairs) : "",
                            prefixFor(needed, 64)));
  }
  std::uint64_t next_lan = 0;
  std::uint64_t next_pair = 0;
  const std::uint64_t pair_net = lans;  // the /64 after the LANs
  for (auto& segment : graph.segments) {
    if (segment.lan) {
      segment.prefix6 = offsetFrom(pool, next_lan, 0, 64);
      std::uint64_t host = 1;
      for (auto& member : segment.members) {
        member.v6 = offsetFrom(pool, next_lan, host++, 64);
      }
      ++next_lan;
    } else {
      segment.prefix6 = offsetFrom(pool, pair_net, next_pair, 127);
      for (auto& member : segment.members) {
        member.v6 = offsetFrom(pool, pair_net, next_pair++, 127);
      }
    }
  }
  return {};
}

}  // namespace

Status assignAddresses(LabGraph& graph, const std::string& pool4, const std::string& pool6) {
  const auto lans =
      static_cast<std::size_t>(std::count_if(graph.segments.begin(), graph.segments.end(),
                                             [](const Segment& s) { return s.lan.has_value(); }));
  const auto pairs = graph.segments.size() - lans;
  if (hasV4(graph.family)) {
    auto pool = parsePool(pool4, AF_INET, "--pool4");
    if (!pool) {
      return tl::unexpected(pool.error());
    }
    if (auto ok = assignV4(graph, *pool, lans, pairs); !ok) {
      return ok;
    }
  }
  if (hasV6(graph.family)) {
    auto pool = parsePool(pool6, AF_INET6, "--pool6");
    if (!pool) {
      return tl::unexpected(pool.error());
    }
    return assignV6(graph, *pool, lans, pairs);
  }
  return {};
}

}  // namespace nstopo::generate
