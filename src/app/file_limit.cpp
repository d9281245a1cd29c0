// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/file_limit.h"

#include <sys/resource.h>

#include <algorithm>

#include <fmt/format.h>

namespace nstopo::app {
namespace {

/// Descriptors a run holds besides the namespaces' files: what the netlink driver keeps for the
/// run lock, records, OVSDB, its read workers, the terminal and the log (96), and room for at
/// least 64 namespace sockets at a time (it opens them in rounds near the limit).
constexpr std::uint64_t kHeadroom = 160;
constexpr std::uint64_t kPerNamespace = 1;

}  // namespace

Status checkOpenFileLimit(std::size_t namespaces, std::uint64_t limit) {
  const std::uint64_t needed = kPerNamespace * namespaces + kHeadroom;
  if (needed <= limit) {
    return {};
  }
  return fail(ErrorKind::kUnsupported,
              fmt::format("the lab has {} namespaces: applying it keeps about {} files open (one "
                          "per namespace, and its own), but the open-file limit is {}; "
                          "raise it (`ulimit -n {}`) and run again (nothing was changed)",
                          namespaces, needed, limit, needed));
}

Status ensureOpenFileLimit(std::size_t namespaces) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return {};
  }
  const std::uint64_t needed = kPerNamespace * namespaces + kHeadroom;
  if (needed > limit.rlim_cur) {
    rlimit raised{needed, std::max<rlim_t>(needed, limit.rlim_max)};
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      raised.rlim_cur =
          std::min<rlim_t>(needed, limit.rlim_max);  // unprivileged: up to the hard one
      raised.rlim_max = limit.rlim_max;
      (void)setrlimit(RLIMIT_NOFILE, &raised);
    }
    (void)getrlimit(RLIMIT_NOFILE, &limit);
  }
  return checkOpenFileLimit(namespaces, limit.rlim_cur);
}

}  // namespace nstopo::app
