// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/error.h"

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo {

namespace {

std::string formatLine(const Error& error, const char* severity) {
  // Messages quote text from the file, the command line and the kernel; whatever bytes those
  // held, the result is printable UTF-8: one line, or nstopo's own indented list under it.
  if (!error.where.known()) {
    return fmt::format("{}: {}", severity, printableMessage(error.message));
  }
  return fmt::format("{}:{}:{}: {}: {}", printable(error.where.file), error.where.line,
                     error.where.column, severity, printableMessage(error.message));
}

}  // namespace

std::string formatError(const Error& error) {
  return formatLine(error, "error");
}

std::string formatWarning(const Error& warning) {
  return formatLine(warning, "warning");
}

Error withContext(Error error, const std::string& context) {
  error.message = context + ": " + error.message;
  return error;
}

}  // namespace nstopo
