// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace nstopo {

/// A place in a topology file. Lines and columns are 1-based; 0 means "not known".
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  [[nodiscard]] bool known() const { return line > 0; }
};

enum class ErrorKind {
  kInvalidTopology,  ///< the file is wrong; nothing was attempted
  kUnsupported,      ///< the machine lacks a feature (kernel module, privilege, daemon)
  kConflict,         ///< an object exists that the lab does not own
  kKernel,           ///< netlink or a system call refused an operation
  kOvsdb,            ///< ovsdb-server refused or timed out
  kVerifyFailed,     ///< state after apply does not match the file
  kInterrupted,      ///< a signal stopped the run
  kBug,              ///< an invariant of nstopo itself broke
};

struct Error {
  ErrorKind kind = ErrorKind::kBug;
  std::string message;
  SourceLoc where;
  int sys_errno = 0;  ///< errno from the kernel or a system call, 0 when there is none
};

/// Library functions return Result<T>; the class-level [[nodiscard]] makes ignoring one an error.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;

  Result(tl::expected<T, Error> other)  // NOLINT(google-explicit-constructor)
      : tl::expected<T, Error>(std::move(other)) {}
};

using Status = Result<void>;

/// Parse and validation collect every problem instead of stopping at the first.
using Diagnostics = std::vector<Error>;

[[nodiscard]] inline tl::unexpected<Error> fail(ErrorKind kind, std::string message,
                                                SourceLoc where = {}, int sys_errno = 0) {
  return tl::unexpected<Error>(Error{kind, std::move(message), std::move(where), sys_errno});
}

/// "lab.yaml:7:5: error: ..." when the place is known, "error: ..." otherwise.
[[nodiscard]] std::string formatError(const Error& error);
/// The same line for advice that does not stop anything: "file:line:col: warning: message".
[[nodiscard]] std::string formatWarning(const Error& warning);

/// Prefix context onto an error on its way up ("applying step 3: " + ...).
[[nodiscard]] Error withContext(Error error, const std::string& context);

}  // namespace nstopo
