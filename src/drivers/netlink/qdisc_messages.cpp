// SPDX-License-Identifier: Apache-2.0
#include "qdisc_messages.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "netem_tables.h"

namespace nstopo::netlink {
namespace {

struct RtnlQdiscPut {
  void operator()(rtnl_qdisc* qdisc) const { rtnl_qdisc_put(qdisc); }
};

using RtnlQdiscPtr = std::unique_ptr<rtnl_qdisc, RtnlQdiscPut>;

/// libnl's TC_CAST without the C cast: a qdisc is an rtnl_tc underneath.
rtnl_tc* tcOf(rtnl_qdisc* qdisc) {
  return reinterpret_cast<rtnl_tc*>(qdisc);
}

tl::unexpected<Error> buildError(const std::string& what, int nl_error) {
  return fail(ErrorKind::kBug, fmt::format("building {}: {}", what, nl_geterror(nl_error)));
}

/// A qdisc of `kind` at `parent` with `handle` on `ifindex`.
Result<RtnlQdiscPtr> qdiscOf(int ifindex, std::uint32_t parent, std::uint32_t handle,
                             const char* kind) {
  RtnlQdiscPtr qdisc(rtnl_qdisc_alloc());
  if (!qdisc) {
    return fail(ErrorKind::kBug, "out of memory building a qdisc request");
  }
  rtnl_tc_set_ifindex(tcOf(qdisc.get()), ifindex);
  rtnl_tc_set_parent(tcOf(qdisc.get()), parent);
  rtnl_tc_set_handle(tcOf(qdisc.get()), handle);
  if (const int err = rtnl_tc_set_kind(tcOf(qdisc.get()), kind); err < 0) {
    return buildError(fmt::format("a {} qdisc request", kind), err);
  }
  return qdisc;
}

Status setTbf(rtnl_qdisc* qdisc, std::uint64_t rate_bits) {
  rtnl_qdisc_tbf_set_rate(qdisc, static_cast<int>(rate_bits / 8), tbfBurstBytes(rate_bits), 0);
  if (const int err = rtnl_qdisc_tbf_set_limit_by_latency(qdisc, kTbfLatencyUs); err < 0) {
    return buildError("a tbf qdisc request", err);
  }
  return {};
}

/// libnl takes probabilities as int; the kernel's u32 scale goes through unchanged.
int asInt(std::uint32_t value) {
  int out = 0;
  std::memcpy(&out, &value, sizeof out);
  return out;
}

Status setNetem(rtnl_qdisc* qdisc, const model::Impairment& impair) {
  rtnl_netem_set_limit(qdisc, static_cast<int>(impair.limit.value_or(model::kDefaultNetemLimit)));
  if (impair.delay_us) {
    rtnl_netem_set_delay(qdisc, static_cast<int>(*impair.delay_us));
  }
  if (impair.jitter_us) {
    rtnl_netem_set_jitter(qdisc, static_cast<int>(*impair.jitter_us));
  }
  // A jitter always goes with a table, uniform when the file names no distribution: the kernel
  // keeps a table it once got until another replaces it.
  if (impair.jitter_us) {
    const auto table = impair.distribution ? netemTable(*impair.distribution) : uniformNetemTable();
    if (const int err = rtnl_netem_set_delay_distribution_data(qdisc, table.data(), table.size());
        err < 0) {
      return buildError("a netem delay distribution", err);
    }
  }
  if (impair.loss) {
    rtnl_netem_set_loss(qdisc, asInt(impair.loss->probability));
    rtnl_netem_set_loss_correlation(qdisc, asInt(impair.loss->correlation));
  }
  if (impair.duplicate) {
    rtnl_netem_set_duplicate(qdisc, asInt(impair.duplicate->probability));
    rtnl_netem_set_duplicate_correlation(qdisc, asInt(impair.duplicate->correlation));
  }
  if (impair.corrupt) {
    rtnl_netem_set_corruption_probability(qdisc, asInt(impair.corrupt->probability));
    rtnl_netem_set_corruption_correlation(qdisc, asInt(impair.corrupt->correlation));
  }
  if (impair.reorder) {
    rtnl_netem_set_reorder_probability(qdisc, asInt(impair.reorder->probability));
    rtnl_netem_set_reorder_correlation(qdisc, asInt(impair.reorder->correlation));
    rtnl_netem_set_gap(qdisc, static_cast<int>(impair.gap.value_or(1)));
  }
  return {};
}

Result<NlMsgPtr> addRequest(rtnl_qdisc* qdisc, const char* what) {
  nl_msg* raw = nullptr;
  if (const int err = rtnl_qdisc_build_add_request(qdisc, NLM_F_CREATE | NLM_F_REPLACE, &raw);
      err < 0) {
    return buildError(what, err);
  }
  return NlMsgPtr(raw);
}

/// Nanoseconds to whole microseconds, to the nearest: libnl sends microseconds as scheduler
/// ticks of 64 ns, which the kernel keeps as nanoseconds.
std::uint32_t microseconds(std::int64_t ns) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>((ns + 500) / 1000, 0, UINT32_MAX));
}

std::optional<model::Chance> chance(std::uint32_t probability, std::uint32_t correlation) {
  if (probability == 0) {
    return std::nullopt;
  }
  return model::Chance{probability, correlation};
}

/// netem's options: a struct tc_netem_qopt, then attributes (not a nest of its own).
std::optional<model::Impairment> parseNetem(const nlattr* options) {
  const int length = nla_len(options);
  if (length < static_cast<int>(sizeof(tc_netem_qopt))) {
    return std::nullopt;
  }
  tc_netem_qopt qopt{};
  std::memcpy(&qopt, nla_data(options), sizeof qopt);
  nlattr* tb[TCA_NETEM_MAX + 1] = {};
  const int offset = NLA_ALIGN(static_cast<int>(sizeof qopt));
  if (length > offset &&
      nla_parse(tb, TCA_NETEM_MAX,
                reinterpret_cast<nlattr*>(static_cast<char*>(nla_data(options)) + offset),
                length - offset, nullptr) < 0) {
    return std::nullopt;
  }
  model::Impairment out;
  out.limit = qopt.limit;
  std::int64_t latency_ns = static_cast<std::int64_t>(qopt.latency) * 64;  // ticks, legacy
  std::int64_t jitter_ns = static_cast<std::int64_t>(qopt.jitter) * 64;
  if (tb[TCA_NETEM_LATENCY64] != nullptr) {
    std::memcpy(&latency_ns, nla_data(tb[TCA_NETEM_LATENCY64]), sizeof latency_ns);
  }
  if (tb[TCA_NETEM_JITTER64] != nullptr) {
    std::memcpy(&jitter_ns, nla_data(tb[TCA_NETEM_JITTER64]), sizeof jitter_ns);
  }
  if (const auto us = microseconds(latency_ns); us != 0) {
    out.delay_us = us;
  }
  if (const auto us = microseconds(jitter_ns); us != 0 && out.delay_us) {
    out.jitter_us = us;
  }
  tc_netem_corr corr{};
  if (tb[TCA_NETEM_CORR] != nullptr &&
      nla_len(tb[TCA_NETEM_CORR]) >= static_cast<int>(sizeof corr)) {
    std::memcpy(&corr, nla_data(tb[TCA_NETEM_CORR]), sizeof corr);
  }
  out.loss = chance(qopt.loss, corr.loss_corr);
  out.duplicate = chance(qopt.duplicate, corr.dup_corr);
  tc_netem_reorder reorder{};
  if (tb[TCA_NETEM_REORDER] != nullptr &&
      nla_len(tb[TCA_NETEM_REORDER]) >= static_cast<int>(sizeof reorder)) {
    std::memcpy(&reorder, nla_data(tb[TCA_NETEM_REORDER]), sizeof reorder);
  }
  out.reorder = chance(reorder.probability, reorder.correlation);
  if (out.reorder) {
    out.gap = qopt.gap;
  }
  tc_netem_corrupt corrupt{};
  if (tb[TCA_NETEM_CORRUPT] != nullptr &&
      nla_len(tb[TCA_NETEM_CORRUPT]) >= static_cast<int>(sizeof corrupt)) {
    std::memcpy(&corrupt, nla_data(tb[TCA_NETEM_CORRUPT]), sizeof corrupt);
  }
  out.corrupt = chance(corrupt.probability, corrupt.correlation);
  return out;
}

std::optional<model::Impairment> parseTbf(nlattr* options) {
  nlattr* tb[TCA_TBF_MAX + 1] = {};
  if (nla_parse_nested(tb, TCA_TBF_MAX, options, nullptr) < 0 || tb[TCA_TBF_PARMS] == nullptr ||
      nla_len(tb[TCA_TBF_PARMS]) < static_cast<int>(sizeof(tc_tbf_qopt))) {
    return std::nullopt;
  }
  tc_tbf_qopt qopt{};
  std::memcpy(&qopt, nla_data(tb[TCA_TBF_PARMS]), sizeof qopt);
  std::uint64_t bytes = qopt.rate.rate;
  if (tb[TCA_TBF_RATE64] != nullptr) {
    std::memcpy(&bytes, nla_data(tb[TCA_TBF_RATE64]), sizeof bytes);
  }
  model::Impairment out;
  out.rate = bytes * 8;
  return out;
}

}  // namespace

int tbfBurstBytes(std::uint64_t rate_bits) {
  constexpr std::uint64_t kMinBurst = 64 * 1024;
  return static_cast<int>(std::max<std::uint64_t>(rate_bits / 8 / 100, kMinBurst));
}

Result<NlMsgPtr> rootQdiscRequest(int ifindex, const model::Impairment& impair) {
  const bool netem = impair.needsNetem();
  auto qdisc = qdiscOf(ifindex, TC_H_ROOT, model::kImpairHandle, netem ? "netem" : "tbf");
  if (!qdisc) {
    return tl::unexpected(qdisc.error());
  }
  auto set = netem ? setNetem(qdisc->get(), impair) : setTbf(qdisc->get(), impair.rate.value_or(0));
  if (!set) {
    return tl::unexpected(set.error());
  }
  return addRequest(qdisc->get(), netem ? "a netem qdisc request" : "a tbf qdisc request");
}

Result<NlMsgPtr> rateChildRequest(int ifindex, std::uint64_t rate_bits) {
  auto qdisc = qdiscOf(ifindex, model::kImpairHandle | 1U, model::kImpairRateHandle, "tbf");
  if (!qdisc) {
    return tl::unexpected(qdisc.error());
  }
  if (auto set = setTbf(qdisc->get(), rate_bits); !set) {
    return tl::unexpected(set.error());
  }
  return addRequest(qdisc->get(), "a tbf qdisc request");
}

Result<NlMsgPtr> deleteQdiscRequest(int ifindex, bool rate_child) {
  RtnlQdiscPtr qdisc(rtnl_qdisc_alloc());
  if (!qdisc) {
    return fail(ErrorKind::kBug, "out of memory building a qdisc request");
  }
  rtnl_tc_set_ifindex(tcOf(qdisc.get()), ifindex);
  rtnl_tc_set_parent(tcOf(qdisc.get()), rate_child ? model::kImpairHandle | 1U : TC_H_ROOT);
  rtnl_tc_set_handle(tcOf(qdisc.get()),
                     rate_child ? model::kImpairRateHandle : model::kImpairHandle);
  nl_msg* raw = nullptr;
  if (const int err = rtnl_qdisc_build_delete_request(qdisc.get(), &raw); err < 0) {
    return buildError("a qdisc deletion", err);
  }
  return NlMsgPtr(raw);
}

NlMsgPtr qdiscDumpRequest() {
  NlMsgPtr msg(nlmsg_alloc_simple(RTM_GETQDISC, NLM_F_DUMP));
  tcmsg info{};
  info.tcm_family = AF_UNSPEC;
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  return msg;
}

std::optional<QdiscReading> parseQdisc(const nlmsghdr& header) {
  if (header.nlmsg_type != RTM_NEWQDISC) {
    return std::nullopt;
  }
  const auto* info = static_cast<const tcmsg*>(nlmsg_data(&header));
  nlattr* tb[TCA_MAX + 1] = {};
  if (nlmsg_parse(const_cast<nlmsghdr*>(&header), sizeof(tcmsg), tb, TCA_MAX, nullptr) < 0 ||
      tb[TCA_KIND] == nullptr) {
    return std::nullopt;
  }
  QdiscReading out;
  out.ifindex = info->tcm_ifindex;
  out.handle = info->tcm_handle;
  out.parent = info->tcm_parent;
  out.kind = nla_get_string(tb[TCA_KIND]);
  if (tb[TCA_OPTIONS] != nullptr) {
    std::optional<model::Impairment> values;
    if (out.kind == "netem") {
      values = parseNetem(tb[TCA_OPTIONS]);
    } else if (out.kind == "tbf") {
      values = parseTbf(tb[TCA_OPTIONS]);
    }
    if (values) {
      out.values = *values;
    }
  }
  return out;
}

}  // namespace nstopo::netlink
