// SPDX-License-Identifier: Apache-2.0
#include "nl_error.h"

#include <fmt/format.h>

namespace nstopo::netlink {

Error kernelError(const std::string& what, const std::string& netns, const NlReply& reply) {
  std::string message =
      fmt::format("{} in namespace '{}': {}", what, netns, errnoText(reply.error));
  if (!reply.ext_ack.empty()) {
    message += fmt::format("; kernel says: {}", reply.ext_ack);
  }
  if (reply.error == EOPNOTSUPP) {
    message += " (this kernel may lack the needed module)";
  }
  return Error{ErrorKind::kKernel, std::move(message), {}, reply.error};
}

}  // namespace nstopo::netlink
