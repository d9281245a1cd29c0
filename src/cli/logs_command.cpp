// SPDX-License-Identifier: Apache-2.0
// `nstopo logs FILE|--lab NAME NODE[.SERVICE] [--follow]`: what a lab's programs wrote.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "nstopo/app/records.h"
#include "nstopo/core/names.h"
#include "nstopo/services/service_store.h"

#include "commands.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

constexpr auto kFollowPause = std::chrono::milliseconds(200);

/// Copies what `fd` holds from its offset on to stdout; false on a read error.
bool copyOut(int fd) {
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n == 0) {
      return true;
    }
    if (n < 0) {
      return false;
    }
    std::fwrite(buffer, 1, static_cast<std::size_t>(n), stdout);
  }
}

}  // namespace

int runLogs(const GlobalOptions& global, const LogsOptions& options) {
  const auto target = resolveTarget(global, {options.file, options.lab});
  if (!target) {
    return 1;
  }
  const services::ServiceStore store(app::RecordStore().root(), target->lab);
  const auto all = store.logs();
  // NODE.SERVICE names one log; NODE alone names all of that node's (its exec log too).
  std::vector<std::string> chosen;
  for (const auto& stem : all) {
    if (stem == options.selector) {
      chosen = {stem};
      break;
    }
    if (stem.rfind(options.selector + ".", 0) == 0 &&
        stem.find('.', options.selector.size() + 1) == std::string::npos) {
      chosen.push_back(stem);
    }
  }
  if (chosen.empty()) {
    printError(Error{ErrorKind::kKernel,
                     fmt::format(
                         "lab '{}' has no log for '{}'{}", target->lab, printable(options.selector),
                         all.empty() ? ""
                                     : " (it has: " +
                                           [&] {
                                             std::string names;
                                             for (const auto& stem : all) {
                                               names += (names.empty() ? "" : ", ") + stem;
                                             }
                                             return names;
                                           }() +
                                           ")"),
                     {},
                     0});
    return 1;
  }
  if (options.follow && chosen.size() != 1) {
    printError(
        Error{ErrorKind::kInvalidTopology, "--follow needs one log: give NODE.SERVICE", {}, 0});
    return 1;
  }
  for (const auto& stem : chosen) {
    const std::string path = store.logPath(stem);
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      printError(Error{ErrorKind::kKernel, "cannot open " + path, {}, errno});
      return 1;
    }
    if (chosen.size() > 1) {
      std::fprintf(stdout, "==> %s <==\n", stem.c_str());
    }
    bool ok = copyOut(fd);
    // --follow ends with ^C, as `tail -f` does.
    while (ok && options.follow) {
      std::fflush(stdout);
      std::this_thread::sleep_for(kFollowPause);
      ok = copyOut(fd);
    }
    ::close(fd);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace nstopo::cli
