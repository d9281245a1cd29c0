// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any bytes a server sends, through the OVSDB client exactly as nstopo reads
// them, must give a result or one OVSDB error, never a crash, a hang, a leak, unbounded memory or
// a sanitizer report (issue 22, finding 5). The input is what "ovsdb-server" writes on a
// socketpair; the client makes three transact calls (ids 1 to 3) and each result, like every
// value the input holds, is decoded as the Bridge, Port and Interface tables.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nstopo/core/unique_fd.h"

#include "drivers/ovsdb/ovsdb_reply.h"
#include "drivers/ovsdb/ovsdb_tables.h"
#include "drivers/ovsdb/ovsdb_wire.h"

namespace {

using nlohmann::json;
using nstopo::UniqueFd;
namespace ovsdb = nstopo::ovsdb;

/// What the driver does with a select result; a malformed one is an error, anything else that
/// escapes is a finding.
void decode(const json& value) {
  nstopo::state::State state;
  try {
    ovsdb::decodeTables(value, state);
  } catch (const ovsdb::reply::MalformedReply&) {
  } catch (const json::exception&) {
  }
}

/// The framer alone, fed in chunks whose size the first byte picks, so values cut at any place.
void frame(std::string_view bytes) {
  if (bytes.empty()) {
    return;
  }
  const std::size_t chunk = 1 + static_cast<unsigned char>(bytes[0]) % 64;
  bytes.remove_prefix(1);
  ovsdb::JsonFramer framer;
  while (!bytes.empty()) {
    const auto piece = bytes.substr(0, chunk);
    bytes.remove_prefix(piece.size());
    framer.feed(piece);
    for (auto value = framer.next(); value && *value; value = framer.next()) {
      auto parsed = json::parse(**value, nullptr, false);
      if (!parsed.is_discarded()) {
        decode(parsed);
        if (parsed.is_object() && parsed.contains("result")) {
          decode(parsed["result"]);
        }
      }
    }
  }
}

/// The client over a socketpair: the input is all the server ever sends, then it hangs up.
void converse(std::string_view bytes) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return;
  }
  UniqueFd client(fds[0]);
  UniqueFd server(fds[1]);
  // Echo answers go to the server end, which nobody reads: room for all of them.
  const int room = 1 << 22;
  ::setsockopt(client.get(), SOL_SOCKET, SO_SNDBUF, &room, sizeof room);
  ::setsockopt(server.get(), SOL_SOCKET, SO_SNDBUF, &room, sizeof room);
  while (!bytes.empty()) {
    const ssize_t n = ::send(server.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return;  // more than the socket holds: -max_len keeps inputs below that
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  ::shutdown(server.get(), SHUT_WR);
  auto connection = ovsdb::Connection::adopt(std::move(client), "unix:fuzz");
  for (int call = 0; call < 3; ++call) {
    auto result = connection.transact(json::array(), std::chrono::milliseconds(1000));
    if (result) {
      decode(*result);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  frame(bytes);
  converse(bytes);
  return 0;
}
