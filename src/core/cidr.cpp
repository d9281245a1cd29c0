// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/cidr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace nstopo {
namespace {

std::optional<IpAddress> parseBare(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  const std::string copy(text);
  IpAddress ip;
  if (inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

int IpAddress::maxPrefix() const {
  return family == AF_INET6 ? 128 : 32;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, bytes.data(), buf, sizeof buf) == nullptr) {
    return "?";
  }
  return buf;
}

std::string IpAddress::cidr() const {
  return prefix_len < 0 ? str() : str() + "/" + std::to_string(prefix_len);
}

IpAddress IpAddress::network() const {
  IpAddress net = *this;
  const int keep = prefix_len < 0 ? maxPrefix() : prefix_len;
  const int total = maxPrefix() / 8;
  for (int i = 0; i < total; ++i) {
    const int bits = keep - i * 8;
    const auto index = static_cast<std::size_t>(i);
    if (bits <= 0) {
      net.bytes[index] = 0;
    } else if (bits < 8) {
      net.bytes[index] = static_cast<std::uint8_t>(net.bytes[index] & (0xff << (8 - bits)));
    }
  }
  return net;
}

bool IpAddress::isLinkLocal() const {
  return family == AF_INET6 && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

bool IpAddress::contains(const IpAddress& other) const {
  if (family != other.family) {
    return false;
  }
  IpAddress probe = other;
  probe.prefix_len = prefix_len;
  return probe.network().bytes == network().bytes;
}

std::optional<IpAddress> parseIp(std::string_view text) {
  return parseBare(text);
}

std::optional<IpAddress> parseCidr(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  auto ip = parseBare(text.substr(0, slash));
  if (!ip) {
    return std::nullopt;
  }
  const auto len_text = text.substr(slash + 1);
  int len = -1;
  const auto* end = len_text.data() + len_text.size();
  const auto [ptr, ec] = std::from_chars(len_text.data(), end, len);
  if (len_text.empty() || ec != std::errc{} || ptr != end || len < 0 || len > ip->maxPrefix()) {
    return std::nullopt;
  }
  ip->prefix_len = len;
  return ip;
}

std::optional<std::string> canonicalMac(std::string_view text) {
  if (text.size() != 17) {
    return std::nullopt;
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i % 3 == 2) {
      if (c != ':') {
        return std::nullopt;
      }
      out += ':';
      continue;
    }
    const int v = hexValue(c);
    if (v < 0) {
      return std::nullopt;
    }
    out += "0123456789abcdef"[v];
  }
  // A multicast MAC (lowest bit of the first octet) cannot be an interface address, nor can
  // 00:00:00:00:00:00 (the kernel's is_valid_ether_addr refuses both).
  if ((hexValue(out[1]) & 1) != 0 || out == "00:00:00:00:00:00") {
    return std::nullopt;
  }
  return out;
}

}  // namespace nstopo
