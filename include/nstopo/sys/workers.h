// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

/// Header-only, so bench/floor (which links none of nstopo's code) runs its per-namespace work
/// through the same loop as nstopo.
namespace nstopo::sys {

/// Runs `work(i)` for every i below `count` on up to one short-lived thread per core (at most
/// 8), or on up to `threads` threads when it is not 0; each thread takes the next index until
/// none is left. For per-namespace work that the kernel can do in parallel; `work` must only
/// touch what belongs to its index. When `work` throws, no index is started after that and the
/// first exception is rethrown here once every thread has ended.
template <typename Work>
void forEachOnWorkers(std::size_t count, const Work& work, std::size_t threads = 0) {
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto worker = [&] {
    try {
      for (std::size_t i = next++; i < count; i = next++) {
        work(i);
      }
    } catch (...) {
      const std::lock_guard lock(failure_mutex);
      if (!failure) {
        failure = std::current_exception();
      }
      next = count;
    }
  };
  if (threads == 0) {
    threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  }
  threads = std::min(count, threads);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    pool.emplace_back(worker);
  }
  for (auto& thread : pool) {
    thread.join();
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
}

}  // namespace nstopo::sys
