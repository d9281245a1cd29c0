// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/model/impairment.h"

#include "nl_ptr.h"

/// The qdiscs of `impair:`: built with libnl-route's qdisc API (rtnl_qdisc_*, rtnl_netem_*,
/// rtnl_qdisc_tbf_*), read back from a raw RTM_GETQDISC dump (exact values: netem's delays in
/// nanoseconds, not libnl's rounded ticks).
namespace nstopo::netlink {

/// tbf's bucket: 10 ms at the rate, and never less than 64 KiB, so the largest packet a veth
/// hands over (a 64 KiB GSO frame) always fits and is never dropped for its size.
[[nodiscard]] int tbfBurstBytes(std::uint64_t rate_bits);
/// tbf's queue, as tc's `latency 50ms`: what the rate sends in 50 ms, plus the bucket.
inline constexpr int kTbfLatencyUs = 50'000;

/// nstopo's root qdisc for `impair` (netem, or tbf for a rate alone) on `ifindex`, created or
/// replaced in place (RTM_NEWQDISC with NLM_F_CREATE | NLM_F_REPLACE, handle kImpairHandle).
[[nodiscard]] Result<NlMsgPtr> rootQdiscRequest(int ifindex, const model::Impairment& impair);
/// The tbf that holds the rate under nstopo's netem (parent kImpairHandle:1).
[[nodiscard]] Result<NlMsgPtr> rateChildRequest(int ifindex, std::uint64_t rate_bits);
/// RTM_DELQDISC of nstopo's root qdisc, or of the rate child under its netem.
[[nodiscard]] Result<NlMsgPtr> deleteQdiscRequest(int ifindex, bool rate_child);
/// RTM_GETQDISC dump of every qdisc of the namespace.
[[nodiscard]] NlMsgPtr qdiscDumpRequest();

/// One qdisc of a dump.
struct QdiscReading {
  int ifindex = 0;
  std::uint32_t handle = 0;
  std::uint32_t parent = 0;
  std::string kind;
  /// What nstopo models of it: netem's fields, or tbf's rate.
  model::Impairment values;
};

/// From one message of a qdisc dump; nothing for other messages or malformed options.
[[nodiscard]] std::optional<QdiscReading> parseQdisc(const nlmsghdr& header);

}  // namespace nstopo::netlink
