// SPDX-License-Identifier: Apache-2.0
#include "ovsdb_wire.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::ovsdb {
namespace {

/// How long an answer to the server's echo may take to go out.
constexpr std::chrono::milliseconds kEchoSendTimeout{1000};

tl::unexpected<Error> ovsdbError(const std::string& target, const std::string& what) {
  return fail(ErrorKind::kOvsdb, fmt::format("OVSDB at {}: {}", target, what));
}

/// Server text in a message: one printable line, and short (a server may send megabytes).
std::string quoteServer(const std::string& text) {
  constexpr std::size_t kQuoted = 300;
  return text.size() > kQuoted ? printable(text.substr(0, kQuoted)) + "..." : printable(text);
}

/// nlohmann's text without its "[json.exception.type_error.316] " tag.
std::string jsonWhy(const nlohmann::json::exception& e) {
  const std::string what = e.what();
  const auto tag_end = what.find("] ");
  return tag_end == std::string::npos ? what : what.substr(tag_end + 2);
}

}  // namespace

void JsonFramer::feed(std::string_view bytes) {
  if (!broken_) {
    buffer_.append(bytes);
  }
}

tl::expected<std::optional<std::string>, std::string> JsonFramer::breakStream(std::string why) {
  broken_ = std::move(why);
  buffer_.clear();
  buffer_.shrink_to_fit();  // give the memory back: the connection is useless now
  scanned_ = 0;
  return tl::unexpected(*broken_);
}

tl::expected<std::optional<std::string>, std::string> JsonFramer::next() {
  if (broken_) {
    return tl::unexpected(*broken_);
  }
  for (; scanned_ < buffer_.size(); ++scanned_) {
    if (depth_ > 0 && scanned_ - start_ >= kMaxMessageBytes) {
      return breakStream(
          fmt::format("a message from the server is larger than {} MiB; gave up "
                      "reading it",
                      kMaxMessageBytes >> 20));
    }
    const char c = buffer_[scanned_];
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      if (depth_ == kMaxNestingDepth) {
        return breakStream(
            fmt::format("a message from the server nests deeper than {} levels; "
                        "gave up reading it",
                        kMaxNestingDepth));
      }
      if (depth_++ == 0) {
        start_ = scanned_;
      }
    } else if ((c == '}' || c == ']') && depth_ > 0 && --depth_ == 0) {
      std::string value = buffer_.substr(start_, scanned_ + 1 - start_);
      buffer_.erase(0, scanned_ + 1);
      scanned_ = 0;
      start_ = 0;
      return value;
    }
  }
  if (depth_ == 0) {
    buffer_.clear();  // whitespace between values
    scanned_ = 0;
  }
  return std::nullopt;
}

Result<Connection> Connection::open(const std::string& target, Millis timeout) {
  if (target.rfind("unix:", 0) != 0) {
    return ovsdbError(target, "only unix:PATH sockets are supported");
  }
  const std::string path = target.substr(5);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    return ovsdbError(target, "socket path too long");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) {
    return ovsdbError(target, std::strerror(errno));
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) {
      return ovsdbError(target, std::strerror(errno));
    }
    pollfd waiter{fd.get(), POLLOUT, 0};
    if (::poll(&waiter, 1, static_cast<int>(timeout.count())) != 1) {
      return ovsdbError(target, "connection timed out");
    }
  }
  Connection connection(std::move(fd), target);
  // A server that accepts but does not answer is as good as none: ask it something small.
  auto dbs = connection.call("list_dbs", nlohmann::json::array(), timeout);
  if (!dbs) {
    return tl::unexpected(dbs.error());
  }
  return connection;
}

Status Connection::send(const nlohmann::json& message, Millis timeout) {
  std::string text;
  try {
    text = message.dump();  // throws on a string that is not UTF-8
  } catch (const nlohmann::json::exception& e) {
    return ovsdbError(
        target_, fmt::format("cannot send {}: {}", message.value("method", std::string("a reply")),
                             quoteServer(jsonWhy(e))));
  }
  // A server that stops reading must not hold us forever: the send as a whole is bounded.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd_.get(), text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return ovsdbError(target_,
                          fmt::format("the server took nothing for {} ms", timeout.count()));
      }
      pollfd waiter{fd_.get(), POLLOUT, 0};
      ::poll(&waiter, 1, 100);
      continue;
    }
    if (n < 0 && errno != EINTR) {
      return ovsdbError(target_, fmt::format("send: {}", std::strerror(errno)));
    }
    sent += n > 0 ? static_cast<std::size_t>(n) : 0U;
  }
  return {};
}

Result<nlohmann::json> Connection::call(const std::string& method, nlohmann::json params,
                                        Millis timeout) {
  const std::int64_t id = next_id_++;
  if (auto ok = send({{"method", method}, {"params", std::move(params)}, {"id", id}}, timeout);
      !ok) {
    return tl::unexpected(ok.error());
  }
  // Whatever the server sends, a reply that nlohmann cannot take apart is an error, not a crash.
  try {
    return receive(method, id, timeout);
  } catch (const nlohmann::json::exception& e) {
    return ovsdbError(target_, fmt::format("malformed reply to {}: {}", method, jsonWhy(e)));
  }
}

Result<nlohmann::json> Connection::receive(const std::string& method, std::int64_t id,
                                           Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (;;) {
      auto text = framer_.next();
      if (!text) {
        return ovsdbError(target_, text.error());
      }
      if (!*text) {
        break;
      }
      auto message = nlohmann::json::parse(**text, nullptr, false);
      if (message.is_discarded() || !message.is_object()) {
        return ovsdbError(target_, fmt::format("unparsable reply to {}", method));
      }
      const auto request = message.find("method");
      if (request != message.end() && *request == "echo") {
        // The server checks we are alive; answer with the same params.
        (void)send({{"result", message["params"]}, {"error", nullptr}, {"id", message["id"]}},
                   kEchoSendTimeout);
        continue;
      }
      if (!message.contains("id") || message["id"] != id) {
        continue;  // a notification or an answer to an abandoned call
      }
      if (!message["error"].is_null()) {
        return ovsdbError(
            target_, fmt::format("{} failed: {}", method, quoteServer(message["error"].dump())));
      }
      return message["result"];
    }
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return ovsdbError(target_,
                        fmt::format("no answer to {} within {} ms", method, timeout.count()));
    }
    pollfd waiter{fd_.get(), POLLIN, 0};
    const int ready = ::poll(&waiter, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      return ovsdbError(target_, std::strerror(errno));
    }
    if (ready <= 0) {
      continue;
    }
    char chunk[65536];
    const ssize_t got = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (got == 0) {
      return ovsdbError(target_, "the server closed the connection");
    }
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        continue;
      }
      return ovsdbError(target_, std::strerror(errno));
    }
    framer_.feed(std::string_view(chunk, static_cast<std::size_t>(got)));
  }
}

Result<nlohmann::json> Connection::transact(nlohmann::json ops, Millis timeout) {
  nlohmann::json params = nlohmann::json::array({"Open_vSwitch"});
  for (auto& op : ops) {
    params.push_back(std::move(op));
  }
  auto result = call("transact", std::move(params), timeout);
  if (!result) {
    return result;
  }
  if (!result->is_array()) {
    return ovsdbError(target_, "transact answered with something other than an array");
  }
  // RFC 7047: a failed op carries "error"; a commit-time failure adds one element at the end.
  for (std::size_t i = 0; i < result->size(); ++i) {
    const auto& item = (*result)[i];
    if (item.is_object() && item.contains("error") && !item["error"].is_null()) {
      const auto& error = item["error"];
      std::string text = error.is_string() ? error.get<std::string>() : error.dump();
      if (item.contains("details") && item["details"].is_string()) {
        text += ": " + item["details"].get<std::string>();
      }
      return ovsdbError(
          target_, fmt::format("transaction failed at operation {}: {}", i + 1, quoteServer(text)));
    }
  }
  return result;
}

}  // namespace nstopo::ovsdb
