// SPDX-License-Identifier: Apache-2.0
// An rtnetlink socket that keeps many requests in flight: requests are packed into large
// writes (the kernel runs every message of one write in turn) and their ACKs are read after.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nstopo/core/unique_fd.h"

#include "messages.h"

namespace floor_bench {

using nstopo::UniqueFd;

class Rtnl {
 public:
  /// A socket in the calling thread's network namespace; throws on failure.
  static Rtnl open(unsigned group = 0);  // group: an RTNLGRP_* to join, or 0

  /// Queues a request; it is written when the pending bytes fill a write, or at flush().
  void send(Message message, std::string what);
  /// Writes every queued request (no waiting for their ACKs).
  void flush();
  /// Flushes and reads every outstanding ACK; throws naming the first request that failed.
  void finish();
  /// Like finish(), but returns the error numbers instead of throwing (0: success), in order.
  std::vector<int> finishAll();

  /// Where messages other than ACKs go (replies to gets, notifications of the groups joined).
  void onMessage(std::function<void(const nlmsghdr&)> handler) { on_message_ = std::move(handler); }

  /// Waits up to `timeout_ms` for messages and hands each to the handler; false on timeout.
  bool waitForMessages(int timeout_ms);

  int fd() const { return fd_.get(); }

 private:
  explicit Rtnl(UniqueFd fd) : fd_(std::move(fd)) {}

  void readAcks(bool wait);
  void dispatch(const std::uint8_t* data, int size);

  UniqueFd fd_;
  std::vector<std::uint8_t> pending_;
  std::uint32_t next_seq_ = 1;
  std::uint32_t acked_ = 0;  // ACKs read so far (they arrive in sequence order)
  std::vector<std::string> what_;
  std::vector<int> errors_;
  std::function<void(const nlmsghdr&)> on_message_;
};

}  // namespace floor_bench
