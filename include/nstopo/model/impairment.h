// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// What a link does to the packets that leave an interface: the `impair:` of the file, carried
/// as one value by the model, the desired and actual state and the plan. The kernel builds it as
/// one root qdisc of nstopo's handle: a tbf for `rate` alone, a netem for anything else (with a
/// tbf child under it when `rate` comes too).
namespace nstopo::model {

enum class DelayDistribution { kNormal, kPareto, kParetonormal };

/// A probability with its correlation to the previous packet's, both in the kernel's scale
/// (0 .. 2^32-1 is 0 .. 100 %), so the file's value, the request and the read compare exactly.
struct Chance {
  std::uint32_t probability = 0;
  std::uint32_t correlation = 0;
  bool operator==(const Chance&) const = default;
};

/// The largest values a file may give: beyond them a lab is no longer a network but a sink.
inline constexpr std::uint32_t kMaxDelayUs = 60'000'000;  ///< 60 s
inline constexpr std::uint32_t kMaxLimit = 1'000'000;     ///< packets in netem's queue
inline constexpr std::uint32_t kMaxGap = 1'000'000;
/// tbf keeps the rate in bytes per second in 32 bits (libnl's rtnl_qdisc_tbf_set_rate takes an
/// int): 10 Gbit/s stays well inside it. Below 8 kbit/s a full-size frame takes over a second.
inline constexpr std::uint64_t kMinRateBits = 8'000;
inline constexpr std::uint64_t kMaxRateBits = 10'000'000'000ULL;
/// netem's queue length when the file gives none (the same as tc's).
inline constexpr std::uint32_t kDefaultNetemLimit = 1000;

/// The handle nstopo gives its root qdisc: major 0x4e53 ("NS"), minor 0. A root qdisc with any
/// other handle (other than the kernel's default, handle 0) was put there by someone else.
inline constexpr std::uint32_t kImpairHandle = 0x4e530000U;
/// The tbf under nstopo's netem (parent kImpairHandle minor 1) when both rate and netem are set.
inline constexpr std::uint32_t kImpairRateHandle = 0x4e540000U;

struct Impairment {
  std::optional<std::uint32_t> delay_us;
  std::optional<std::uint32_t> jitter_us;
  /// Not read back (the kernel keeps the table but does not report it): compared only between
  /// two desired values.
  std::optional<DelayDistribution> distribution;
  std::optional<Chance> loss;
  std::optional<Chance> duplicate;
  std::optional<Chance> corrupt;
  std::optional<Chance> reorder;
  std::optional<std::uint32_t> gap;  ///< reorder: every gap-th packet is sent at once
  /// bits per second, a multiple of 8 once in the state (tbf counts bytes)
  std::optional<std::uint64_t> rate;
  std::optional<std::uint32_t> limit;  ///< netem's queue, in packets
  bool operator==(const Impairment&) const = default;

  /// Anything but `rate`: these need netem (sch_netem, CONFIG_NET_SCH_NETEM).
  [[nodiscard]] bool needsNetem() const;

  [[nodiscard]] bool empty() const { return !needsNetem() && !rate; }
};

/// `impairment` as the kernel keeps and reports it, so the desired value equals the one read
/// back: zero delays and 0 % chances dropped (netem does nothing with them and reports none),
/// netem's queue at its default when not given, a reorder's gap at 1 (the kernel's gap 0 would
/// reorder nothing), the rate down to whole bytes per second. Empty when nothing is left.
[[nodiscard]] Impairment kernelForm(const Impairment& impairment);

/// Whether the kernel's root qdisc carries `want`: every field but the delay distribution,
/// which the kernel does not report back.
[[nodiscard]] bool sameImpairment(const Impairment& want, const Impairment& have);

/// The qdisc kind of the root nstopo builds for `impairment`: "netem" or "tbf".
[[nodiscard]] std::string_view rootQdiscKind(const Impairment& impairment);

/// The kernel option of a qdisc kind, for the capability probe's message.
[[nodiscard]] std::string_view qdiscConfig(std::string_view kind);

/// The kernel's probability for a percentage (0-100), rounded to the nearest.
[[nodiscard]] std::uint32_t probabilityOf(double percent);
[[nodiscard]] double percentOf(std::uint32_t probability);

/// "delay 50ms jitter 5ms (normal), loss 1%, rate 10mbit": the file's words, in a fixed order.
[[nodiscard]] std::string impairmentText(const Impairment& impairment);
/// "10ms", "1.5s", "20us".
[[nodiscard]] std::string durationText(std::uint32_t us);
/// "100mbit", "1gbit", "1500kbit", "12345bit".
[[nodiscard]] std::string rateText(std::uint64_t bits);

[[nodiscard]] std::string_view toString(DelayDistribution value);
[[nodiscard]] std::optional<DelayDistribution> distributionNamed(std::string_view word);

}  // namespace nstopo::model
