// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/ethtool.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/errno_text.h"

namespace nstopo::sys {
namespace {

Status ethtoolCall(const std::string& ifname, ethtool_value& value, const char* what) {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return fail(ErrorKind::kKernel,
                fmt::format("{} of '{}': socket: {}", what, ifname, errnoText(errno)), {}, errno);
  }
  ifreq request{};
  std::strncpy(request.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  request.ifr_data = reinterpret_cast<char*>(&value);
  if (::ioctl(fd.get(), SIOCETHTOOL, &request) != 0) {
    return fail(ErrorKind::kKernel, fmt::format("{} of '{}': {}", what, ifname, errnoText(errno)),
                {}, errno);
  }
  return {};
}

}  // namespace

Result<bool> txChecksum(const std::string& ifname) {
  ethtool_value value{};
  value.cmd = ETHTOOL_GTXCSUM;
  if (auto ok = ethtoolCall(ifname, value, "reading TX checksum offload"); !ok) {
    return tl::unexpected(ok.error());
  }
  return value.data != 0;
}

Status setTxChecksum(const std::string& ifname, bool on) {
  ethtool_value value{};
  value.cmd = ETHTOOL_STXCSUM;
  value.data = on ? 1U : 0U;
  return ethtoolCall(ifname, value, "setting TX checksum offload");
}

}  // namespace nstopo::sys
