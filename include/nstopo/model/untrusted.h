// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rule of --untrusted (NSTOPO_UNTRUSTED=1), for files that come from someone else, such as
/// a pull request in CI: nothing in `host`, the namespace nstopo runs in. One located line for
/// each object there: interface settings, addresses, routes and sysctls of the node `host`,
/// bridges that live in host (every Open vSwitch bridge does), link ends created in host, parents
/// in host (such as the machine's NIC) and expectations probed from host. Left to a trusted file,
/// those could divert the machine's own traffic (`0.0.0.0/1` via a lab veth) or take its NIC
/// (a macvlan in passthru mode).
[[nodiscard]] Diagnostics hostObjects(const Topology& topology);

}  // namespace nstopo::model
