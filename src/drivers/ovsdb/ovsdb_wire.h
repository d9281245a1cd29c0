// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::ovsdb {

/// Splits a byte stream of back-to-back JSON values (RFC 7047 framing has no separator) into
/// complete values, counting brackets outside strings.
class JsonFramer {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }

  /// The next complete value's text, or nothing until more bytes arrive.
  [[nodiscard]] std::optional<std::string> next();

 private:
  std::string buffer_;
  std::size_t scanned_ = 0;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t start_ = 0;
};

/// A JSON-RPC 1.0 connection to ovsdb-server over its unix socket. Every wait is bounded; a
/// server "echo" request is answered while waiting.
class Connection {
 public:
  using Millis = std::chrono::milliseconds;

  /// `target` is "unix:PATH".
  [[nodiscard]] static Result<Connection> open(const std::string& target, Millis timeout);

  [[nodiscard]] Result<nlohmann::json> call(const std::string& method, nlohmann::json params,
                                            Millis timeout);

  /// Runs `ops` on the Open_vSwitch database in one transaction. A failed op (or a failure the
  /// server finds at commit time) becomes an error quoting OVSDB's error and details.
  [[nodiscard]] Result<nlohmann::json> transact(nlohmann::json ops, Millis timeout);

  [[nodiscard]] const std::string& target() const { return target_; }

 private:
  Connection(UniqueFd fd, std::string target) : fd_(std::move(fd)), target_(std::move(target)) {}

  [[nodiscard]] Status send(const nlohmann::json& message);

  UniqueFd fd_;
  std::string target_;
  JsonFramer framer_;
  std::int64_t next_id_ = 1;
};

}  // namespace nstopo::ovsdb
