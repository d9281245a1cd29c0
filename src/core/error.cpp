// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/error.h"

#include <fmt/format.h>

namespace nstopo {

std::string formatError(const Error& error) {
  if (!error.where.known()) {
    return fmt::format("error: {}", error.message);
  }
  return fmt::format("{}:{}:{}: error: {}", error.where.file, error.where.line, error.where.column,
                     error.message);
}

Error withContext(Error error, const std::string& context) {
  error.message = context + ": " + error.message;
  return error;
}

}  // namespace nstopo
