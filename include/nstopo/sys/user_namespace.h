// SPDX-License-Identifier: Apache-2.0
// A user namespace in which the unprivileged caller is root, for a rootless lab (issue 19).
#pragma once

#include "nstopo/core/error.h"

namespace nstopo::sys {

/// Moves the caller into new user, mount, network and UTS namespaces (unshare(2)) and maps its user
/// and group to root there. With `newuidmap`, `newgidmap` and entries for the user in
/// /etc/subuid and /etc/subgid, the subordinate ids are mapped too (a helper forked before the
/// unshare runs the two setuid programs for it); otherwise the map is the single id, which needs
/// no help. The caller must have one thread. Afterwards it has every capability over the new
/// namespaces and none over the machine's.
[[nodiscard]] Status unshareAsRoot();

}  // namespace nstopo::sys
