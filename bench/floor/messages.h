// SPDX-License-Identifier: Apache-2.0
// Builders of the few rtnetlink requests the floor sends, written straight into bytes: no
// library, no allocation per attribute beyond the message's own buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floor_bench {

/// Netlink's 4-byte alignment of messages and attributes (NLMSG_ALIGN, NLA_ALIGN, without the
/// macros' C casts).
constexpr std::size_t netlinkAlign(std::size_t size) {
  return (size + 3) & ~std::size_t{3};
}

inline constexpr std::size_t kAttrHeader = 4;  // NLA_HDRLEN

/// One netlink message under construction: header, family header, attributes (nestable).
class Message {
 public:
  Message(std::uint16_t type, std::uint16_t flags);

  template <typename Header>
  Header& header() {
    return *reinterpret_cast<Header*>(bytes_.data() + kHeaderSize);
  }

  template <typename Header>
  void addHeader(const Header& value) {
    append(&value, sizeof value);
  }

  void put(std::uint16_t type, const void* data, std::size_t size);

  void putU8(std::uint16_t type, std::uint8_t value) { put(type, &value, sizeof value); }

  void putU32(std::uint16_t type, std::uint32_t value) { put(type, &value, sizeof value); }

  void putString(std::uint16_t type, std::string_view text);  // NUL-terminated
  /// Opens a nested attribute; close it with end(offset).
  std::size_t begin(std::uint16_t type);
  void end(std::size_t offset);
  /// The finished message with sequence number `seq`.
  const std::vector<std::uint8_t>& finish(std::uint32_t seq);

  static constexpr std::size_t kHeaderSize = 16;

 private:
  void append(const void* data, std::size_t size);
  std::vector<std::uint8_t> bytes_;
};

/// Link up (and an alias when not empty) on the device of index `index`, by index.
Message setLinkUp(int index, std::string_view alias);
// The kernel ignores an alias (IFLA_IFALIAS) in a request that creates a link: nstopo's marks
// are set by setLinkUp after creation.

/// No IPv6 link-local address on the device of index `index` (addr_gen_mode none). Must come
/// before the device comes up: a request that also changes flags applies the flags first.
Message linkLocalOff(int index);
/// A Linux bridge of index `index`, STP off, up.
Message newBridge(int index, std::string_view name);

/// One end of a veth: its name, index, namespace (-1: the socket's own), master, and whether it
/// comes up in the creating request (only the first end can).
struct VethEnd {
  std::string name;
  int index = 0;
  int netns_fd = -1;
  int master = 0;
  bool up = true;
};

/// A veth pair; the peer is down (bring it up with setLinkUp).
Message newVeth(const VethEnd& end, const VethEnd& peer);
/// An IPv4 address `a.b.c.d/prefix` on the device of index `index`.
Message newAddress(int index, std::string_view cidr);
/// A unicast route to `cidr` via `gateway` in the main table, with `protocol`.
Message newRoute(std::string_view cidr, std::string_view gateway, std::uint8_t protocol);
/// An id for the namespace of `netns_fd` in the socket's namespace (RTM_NEWNSID, kernel picks).
Message newNsid(int netns_fd);
/// Asks for the id the socket's namespace has for the namespace of `netns_fd` (RTM_GETNSID).
Message getNsid(int netns_fd);
/// Deletes the link named `name` (RTM_DELLINK by name).
Message deleteLink(std::string_view name);

}  // namespace floor_bench
