// SPDX-License-Identifier: Apache-2.0
// What a lab built without root (issue 19, docs/rootless.md) cannot have.
#pragma once

#include <set>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The first thing of `topology` a rootless lab cannot have, as one error naming its place in
/// the file; success when the lab can be built inside a user namespace. That lab's host is a
/// new, empty network namespace, so a stacked link's parent (or a vxlan's underlay) in `host`
/// must be an interface the lab itself creates: any other is a device of the machine, which is
/// out of reach. A multi-host lab (`hosts:` as a mapping) needs a way out, which there is not.
/// An Open vSwitch bridge is refused when `ovs_problem` says why no Open vSwitch can run here
/// ("" when one can).
[[nodiscard]] Status rootlessRefusal(const Topology& topology, const std::string& ovs_problem);

/// Whether the lab has an Open vSwitch bridge or port.
[[nodiscard]] bool usesOvs(const Topology& topology);

/// The kernel modules the lab's objects need, by the names modprobe takes (macvlan, 8021q,
/// sch_netem, ...). Without root they must already be loaded (or built in).
[[nodiscard]] std::set<std::string> kernelModulesOf(const Topology& topology);

}  // namespace nstopo::model
