// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_vxlan.h"

#include <sys/socket.h>

#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

bool isMulticast(const IpAddress& address) {
  return address.family == AF_INET6 ? address.bytes[0] == 0xff : (address.bytes[0] & 0xf0) == 0xe0;
}

const char* familyName(int family) {
  return family == AF_INET6 ? "IPv6" : "IPv4";
}

std::string endpointText(const Link& link) {
  return link.endpoints.empty() ? std::string("?")
                                : link.endpoints[0].owner + ":" + link.endpoints[0].ifname;
}

class VxlanRules {
 public:
  VxlanRules(const Topology& topology, Diagnostics& problems)
      : topology_(topology), problems_(problems) {}

  void run() {
    // (underlay namespace, vni, port) -> the first link that uses it
    std::map<std::tuple<std::string, std::uint32_t, std::uint16_t>, const Link*> used;
    for (const auto& link : topology_.links) {
      const auto* options = std::get_if<VxlanOptions>(&link.options);
      if (options == nullptr || link.endpoints.size() != 1 || !link.parent) {
        continue;
      }
      checkPeers(link, *options);
      checkFamilies(link, *options);
      const auto key =
          std::make_tuple(endpointNetns(topology_, *link.parent), options->vni, options->dstport);
      const auto [first, inserted] = used.emplace(key, &link);
      if (!inserted) {
        problem(link.loc,
                fmt::format("vxlan '{}' uses vni {} and dstport {} in underlay namespace '{}', "
                            "like vxlan '{}' at line {}: the kernel refuses a second device with "
                            "the same VNI and port in one namespace",
                            printable(endpointText(link)), options->vni, options->dstport,
                            printable(std::get<0>(key)), printable(endpointText(*first->second)),
                            first->second->loc.line));
      }
    }
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  void checkPeers(const Link& link, const VxlanOptions& options) {
    const int ways =
        (options.remote ? 1 : 0) + (options.group ? 1 : 0) + (link.peers.empty() ? 0 : 1);
    if (ways != 1) {
      problem(link.loc, fmt::format("vxlan '{}' needs exactly one of 'remote' (a unicast peer), "
                                    "'group' (a multicast group) or 'peers' (unicast peers, "
                                    "head-end replication)",
                                    printable(endpointText(link))));
    }
    std::set<IpAddress> seen;
    for (const auto& peer : link.peers) {
      if (isMulticast(peer.ip)) {
        problem(peer.loc, fmt::format("vxlan '{}': peer {} is a multicast address (use 'group')",
                                      printable(endpointText(link)), peer.ip.str()));
      } else if (!seen.insert(peer.ip).second) {
        problem(peer.loc, fmt::format("vxlan '{}': peer {} is listed twice",
                                      printable(endpointText(link)), peer.ip.str()));
      }
      if (peer.ip.family == AF_INET6 && !options.local) {
        // Without an IPv6 address of its own the kernel gives the device an IPv4 socket, and
        // the FDB refuses IPv6 destinations on it.
        problem(peer.loc, fmt::format("vxlan '{}': IPv6 peer {} needs an IPv6 'local' address",
                                      printable(endpointText(link)), peer.ip.str()));
      }
      if (options.local && peer.ip.family != options.local->family) {
        problem(
            peer.loc,
            fmt::format("vxlan '{}': peer {} is {} but local {} is {}; a tunnel has one "
                        "family",
                        printable(endpointText(link)), peer.ip.str(), familyName(peer.ip.family),
                        options.local->str(), familyName(options.local->family)));
      }
    }
    if (options.remote && isMulticast(*options.remote)) {
      problem(link.loc, fmt::format("vxlan '{}': remote {} is a multicast address (use 'group')",
                                    printable(endpointText(link)), options.remote->str()));
    }
    if (options.group && !isMulticast(*options.group)) {
      problem(link.loc, fmt::format("vxlan '{}': group {} is not a multicast address (use "
                                    "'remote' for a unicast peer)",
                                    printable(endpointText(link)), options.group->str()));
    }
    if (options.local && isMulticast(*options.local)) {
      problem(link.loc, fmt::format("vxlan '{}': local {} is a multicast address",
                                    printable(endpointText(link)), options.local->str()));
    }
  }

  void checkFamilies(const Link& link, const VxlanOptions& options) {
    const IpAddress* first = nullptr;
    const char* first_key = "";
    for (const auto& [key, address] :
         {std::pair{"local", &options.local}, std::pair{"remote", &options.remote},
          std::pair{"group", &options.group}}) {
      if (!*address) {
        continue;
      }
      if (first == nullptr) {
        first = &**address;
        first_key = key;
      } else if ((*address)->family != first->family) {
        problem(link.loc,
                fmt::format("vxlan '{}': {} {} is {} but {} {} is {}; a tunnel has one family",
                            printable(endpointText(link)), key, (*address)->str(),
                            familyName((*address)->family), first_key, first->str(),
                            familyName(first->family)));
      }
    }
  }

  const Topology& topology_;
  Diagnostics& problems_;
};

}  // namespace

void validateVxlan(const Topology& topology, Diagnostics& problems) {
  VxlanRules(topology, problems).run();
}

}  // namespace nstopo::model
