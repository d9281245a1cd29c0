// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/model/topology.h"

/// /etc/netns/NODE/hosts for every node of a lab, so names of the lab resolve inside it: `ip netns
/// exec` and `nstopo exec` (and services) see that file as /etc/hosts. nstopo writes only files
/// whose first line is its own mark, and never replaces a file someone else wrote.
namespace nstopo::services {

inline constexpr const char* kEtcNetns = "/etc/netns";

/// The first line nstopo writes, which says the file is the lab's.
[[nodiscard]] std::string hostsMark(const std::string& lab);

/// The hosts file of the lab (the same for every node): localhost, then for each node each
/// address of each interface, named "NODE NODE-IF".
[[nodiscard]] std::string hostsText(const model::Topology& topology);

/// Writes the hosts file of every node (not host). A file nstopo did not write is left as it is
/// with a warning; the rest still get theirs.
void writeHostsFiles(const model::Topology& topology, const std::string& etc_netns = kEtcNetns);

/// Removes the hosts files of `nodes` that carry the lab's mark, and each node's directory when
/// that leaves it empty.
void removeHostsFiles(const std::string& lab, const std::vector<std::string>& nodes,
                      const std::string& etc_netns = kEtcNetns);

}  // namespace nstopo::services
