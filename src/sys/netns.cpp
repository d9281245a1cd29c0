// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "nstopo/sys/errno_text.h"

namespace nstopo::sys {
namespace {

std::string netnsPath(const std::string& name) {
  return std::string(kNetnsRunDir) + "/" + name;
}

tl::unexpected<Error> sysError(const std::string& what, int error) {
  return fail(ErrorKind::kKernel, fmt::format("{}: {}", what, errnoText(error)), {}, error);
}

/// Makes /run/netns a shared mount point, as iproute2 does, so a namespace file unmounted in
/// one mount namespace is released everywhere. Serialised with flock like `ip netns add`.
Status prepareRunDir() {
  if (::mkdir(kNetnsRunDir, 0755) != 0 && errno != EEXIST) {
    return sysError(fmt::format("creating {}", kNetnsRunDir), errno);
  }
  UniqueFd dir(::open(kNetnsRunDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) {
    return sysError(fmt::format("opening {}", kNetnsRunDir), errno);
  }
  if (::flock(dir.get(), LOCK_EX) != 0) {
    return sysError(fmt::format("locking {}", kNetnsRunDir), errno);
  }
  if (::mount("", kNetnsRunDir, "none", MS_SHARED | MS_REC, nullptr) == 0) {
    return {};
  }
  if (errno != EINVAL) {
    return sysError(fmt::format("making {} a shared mount", kNetnsRunDir), errno);
  }
  if (::mount(kNetnsRunDir, kNetnsRunDir, "none", MS_BIND | MS_REC, nullptr) != 0 ||
      ::mount("", kNetnsRunDir, "none", MS_PRIVATE | MS_REC, nullptr) != 0 ||
      ::mount("", kNetnsRunDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    return sysError(fmt::format("making {} a mount point", kNetnsRunDir), errno);
  }
  return {};
}

}  // namespace

Result<UniqueFd> openNamedNetns(const std::string& name) {
  UniqueFd fd(::open(netnsPath(name).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    return sysError(fmt::format("opening namespace '{}' ({})", name, netnsPath(name)), errno);
  }

  struct statfs fs {};

  if (::fstatfs(fd.get(), &fs) != 0 || fs.f_type != NSFS_MAGIC) {
    return fail(ErrorKind::kConflict,
                fmt::format("{} is not a network namespace (an ordinary file is in its place)",
                            netnsPath(name)));
  }
  return fd;
}

bool namedNetnsExists(const std::string& name) {
  UniqueFd fd(::open(netnsPath(name).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));

  struct statfs fs {};

  return fd.valid() && ::fstatfs(fd.get(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

bool leftoverNetnsFile(const std::string& name) {
  struct stat st {};

  return ::lstat(netnsPath(name).c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
         !namedNetnsExists(name);
}

Result<UniqueFd> openOwnNetns() {
  UniqueFd fd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return sysError("opening /proc/self/ns/net", errno);
  }
  return fd;
}

Result<UniqueFd> createNamedNetnsInThisThread(const std::string& name,
                                              const std::function<Status()>& prepare) {
  // The mount point only has to be prepared once per process, not once per namespace (with a
  // thousand namespaces the repeated recursive remount costs as much as creating them).
  static std::mutex run_dir_mutex;
  static bool run_dir_ready = false;
  {
    const std::lock_guard lock(run_dir_mutex);
    if (!run_dir_ready) {
      if (auto ok = prepareRunDir(); !ok) {
        return tl::unexpected(ok.error());
      }
      run_dir_ready = true;
    }
  }
  const std::string path = netnsPath(name);
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0));
  if (!file.valid() && errno == EEXIST) {
    // An empty, unmounted file is what a creation killed half-way leaves; take it over.
    if (leftoverNetnsFile(name)) {
      file.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    } else {
      errno = EEXIST;
    }
  }
  if (!file.valid()) {
    return sysError(fmt::format("creating namespace file {}", path), errno);
  }
  file.reset();
  if (::unshare(CLONE_NEWNET) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return sysError(fmt::format("creating network namespace '{}'", name), error);
  }
  // Nobody else can see the namespace yet: what `prepare` sets up (the lab's mark) is in place
  // before it has a name. A failure leaves only this thread holding it, and it dies with it.
  if (auto ok = prepare(); !ok) {
    ::unlink(path.c_str());
    return tl::unexpected(ok.error());
  }
  if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return sysError(fmt::format("bind-mounting namespace '{}' on {}", name, path), error);
  }
  return openNamedNetns(name);
}

Status deleteNamedNetns(const std::string& name) {
  const std::string path = netnsPath(name);
  if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
      errno != ENOENT) {
    return sysError(fmt::format("unmounting namespace '{}'", name), errno);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return sysError(fmt::format("removing {}", path), errno);
  }
  return {};
}

std::vector<std::string> listNamedNetns() {
  std::vector<std::string> names;
  const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(kNetnsRunDir), ::closedir);
  if (dir == nullptr) {
    return names;
  }
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

void runOnHelperThread(const std::function<void()>& work) {
  std::thread helper(work);
  helper.join();
}

Status enterNetns(int netns_fd, const std::string& name) {
  if (::setns(netns_fd, CLONE_NEWNET) != 0) {
    return sysError(fmt::format("entering namespace '{}'", name), errno);
  }
  return {};
}

}  // namespace nstopo::sys
