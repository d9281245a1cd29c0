// SPDX-License-Identifier: Apache-2.0
// `nstopo generate`: the file from nstopo::generate, written to stdout or to -o FILE.
#include <cerrno>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "nstopo/generate/generate.h"
#include "nstopo/sys/errno_text.h"

#include "commands.h"
#include "output.h"

namespace nstopo::cli {

int runGenerate(const generate::Request& request, const std::string& output) {
  auto text = generate::generateTopology(request);
  if (!text) {
    printError(text.error());
    return 1;
  }
  if (output.empty() || output == "-") {
    std::fwrite(text->data(), 1, text->size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << *text;
  file.close();
  if (!file) {
    const int err = errno;
    printError(Error{ErrorKind::kUnsupported,
                     fmt::format("cannot write {}: {}", output, sys::errnoText(err)),
                     {},
                     err});
    return 1;
  }
  return 0;
}

}  // namespace nstopo::cli
