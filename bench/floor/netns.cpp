// SPDX-License-Identifier: Apache-2.0
#include "netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>

namespace floor_bench {
namespace {

[[noreturn]] void throwErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

void prepareNetnsDir() {
  if (::mkdir(kNetnsDir, 0755) != 0 && errno != EEXIST) {
    throwErrno("creating /run/netns");
  }
  if (::mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) == 0) {
    return;
  }
  if (::mount(kNetnsDir, kNetnsDir, "none", MS_BIND | MS_REC, nullptr) != 0 ||
      ::mount("", kNetnsDir, "none", MS_PRIVATE | MS_REC, nullptr) != 0 ||
      ::mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    throwErrno("making /run/netns a shared mount point");
  }
}

void writeSysctl(const UniqueFd& proc_sys, const std::string& key, const std::string& value) {
  std::string path = key;
  std::replace(path.begin(), path.end(), '.', '/');
  UniqueFd fd(proc_sys.valid() ? ::openat(proc_sys.get(), path.c_str(), O_WRONLY | O_CLOEXEC)
                               : ::open(("/proc/sys/" + path).c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid() || ::write(fd.get(), value.data(), value.size()) < 0) {
    throwErrno("writing /proc/sys/" + path);
  }
}

std::vector<Namespace> createNamespaces(const std::vector<std::string>& names,
                                        const std::function<void(std::size_t, Rtnl&)>& inside) {
  prepareNetnsDir();
  std::vector<Namespace> made(names.size());
  forEachOnWorkers(names.size(), [&](std::size_t i) {
    // A worker unshares again for each of its namespaces: unshare moves only the calling
    // thread, and the namespace it leaves is kept by its file and its socket.
    const std::string path = std::string(kNetnsDir) + "/" + names[i];
    UniqueFd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!file.valid()) {
      throwErrno("creating " + path);
    }
    file.reset();
    if (::unshare(CLONE_NEWNET) != 0) {
      throwErrno("unshare");
    }
    {
      auto rtnl = Rtnl::open();
      inside(i, rtnl);
    }
    if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      throwErrno("bind-mounting " + path);
    }
    made[i].fd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!made[i].fd.valid()) {
      throwErrno("opening namespace " + names[i]);
    }
  });
  return made;
}

void withSocketInside(const Namespace& netns, const std::function<void(Rtnl&)>& work) {
  if (::setns(netns.fd.get(), CLONE_NEWNET) != 0) {
    throwErrno("entering a namespace");
  }
  auto rtnl = Rtnl::open();
  work(rtnl);
}

void deleteNamespace(const std::string& name) {
  const std::string path = std::string(kNetnsDir) + "/" + name;
  if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
      errno != ENOENT) {
    throwErrno("unmounting " + path);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throwErrno("removing " + path);
  }
}

std::vector<std::string> namedNamespaces() {
  std::vector<std::string> names;
  const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(kNetnsDir), ::closedir);
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

}  // namespace floor_bench
