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

/// Bounds on one message from the server. A real reply of the Open_vSwitch tables nests about 8
/// deep and a lab of 10 000 ports reads back as a few MiB; a server that sends more is broken or
/// hostile, and reading on would grow memory without bound (a stream of '[') or recurse until
/// the stack ends (printing a deeply nested value).
inline constexpr std::size_t kMaxMessageBytes = std::size_t{64} << 20;
inline constexpr int kMaxNestingDepth = 64;

/// Splits a byte stream of back-to-back JSON values (RFC 7047 framing has no separator) into
/// complete values, counting brackets outside strings. A value over kMaxMessageBytes or nested
/// deeper than kMaxNestingDepth breaks the stream for good: nothing after it can be trusted.
class JsonFramer {
 public:
  /// Keeps the bytes for next(); ignores them once the stream is broken.
  void feed(std::string_view bytes);

  /// The next complete value's text, nothing until more bytes arrive, or why the stream is
  /// broken (every later call says the same).
  [[nodiscard]] tl::expected<std::optional<std::string>, std::string> next();

 private:
  tl::expected<std::optional<std::string>, std::string> breakStream(std::string why);

  std::string buffer_;
  std::size_t scanned_ = 0;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t start_ = 0;
  std::optional<std::string> broken_;
};

/// A JSON-RPC 1.0 connection to ovsdb-server over its unix socket. Every wait is bounded; a
/// server "echo" request is answered while waiting.
class Connection {
 public:
  using Millis = std::chrono::milliseconds;

  /// `target` is "unix:PATH".
  [[nodiscard]] static Result<Connection> open(const std::string& target, Millis timeout);

  /// A connection over a socket that is already connected, without the list_dbs check of
  /// open(): for the fuzzer, which plays the server on the other end of a socketpair.
  [[nodiscard]] static Connection adopt(UniqueFd fd, std::string target) {
    return Connection(std::move(fd), std::move(target));
  }

  [[nodiscard]] Result<nlohmann::json> call(const std::string& method, nlohmann::json params,
                                            Millis timeout);

  /// Runs `ops` on the Open_vSwitch database in one transaction. A failed op (or a failure the
  /// server finds at commit time) becomes an error quoting OVSDB's error and details.
  [[nodiscard]] Result<nlohmann::json> transact(nlohmann::json ops, Millis timeout);

  [[nodiscard]] const std::string& target() const { return target_; }

 private:
  Connection(UniqueFd fd, std::string target) : fd_(std::move(fd)), target_(std::move(target)) {}

  /// Sends all of `message` within `timeout`, however slowly the server reads.
  [[nodiscard]] Status send(const nlohmann::json& message, Millis timeout);
  [[nodiscard]] Result<nlohmann::json> receive(const std::string& method, std::int64_t id,
                                               Millis timeout);

  UniqueFd fd_;
  std::string target_;
  JsonFramer framer_;
  std::int64_t next_id_ = 1;
};

}  // namespace nstopo::ovsdb
