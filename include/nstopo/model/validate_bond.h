// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rules of `kind: bond` beyond its shape: every member is an interface the lab creates in
/// the bond's node (the kernel's master is per namespace), in one bond at most, neither a
/// bridge's port nor in a VRF (each would be a second master), nor a master itself; a member
/// leaves its addresses, MTU and MAC to the bond (the kernel gives it the bond's). `primary` is
/// one of the members, and only in the modes that have one (active-backup, balance-tlb,
/// balance-alb: the kernel refuses it in the others).
void validateBond(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
