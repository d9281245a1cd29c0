// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nstopo {

/// An IPv4 or IPv6 address, optionally with a prefix length, in canonical text form.
/// Kept free of libnl so the model and planner can use it.
struct IpAddress {
  int family = 0;  ///< AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};
  int prefix_len = -1;  ///< -1 when no "/len" was given

  [[nodiscard]] std::string str() const;    ///< "10.0.0.1" (no prefix)
  [[nodiscard]] std::string cidr() const;   ///< "10.0.0.1/24"
  [[nodiscard]] int maxPrefix() const;      ///< 32 or 128
  [[nodiscard]] IpAddress network() const;  ///< host bits cleared
  [[nodiscard]] bool isLinkLocal() const;   ///< fe80::/10 (kernel-made, never ours)
  [[nodiscard]] bool contains(const IpAddress& other) const;  ///< same family, inside prefix
  auto operator<=>(const IpAddress&) const = default;
};

/// "10.0.0.1/24", "2001:db8::1/64". Requires the prefix.
[[nodiscard]] std::optional<IpAddress> parseCidr(std::string_view text);
/// "10.0.0.1" or "2001:db8::1". Rejects a prefix.
[[nodiscard]] std::optional<IpAddress> parseIp(std::string_view text);
/// "aa:bb:cc:dd:ee:ff" -> lower-case canonical form; nothing when malformed.
[[nodiscard]] std::optional<std::string> canonicalMac(std::string_view text);

}  // namespace nstopo
