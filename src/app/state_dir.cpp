// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/state_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace nstopo::app {
namespace {

tl::unexpected<Error> sysError(const std::string& what, int error) {
  return fail(ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(error)), {}, error);
}

/// Why `st` may not be trusted, or "" when it may: nstopo's own user must own it and nobody else
/// may write it (a sticky bit does not help: the attack is a file planted in a fresh lab
/// directory, not the removal of one of ours).
std::string distrust(const struct stat& st) {
  const uid_t self = ::geteuid();
  if (st.st_uid != self) {
    return fmt::format("it belongs to uid {}, and nstopo runs as uid {}", st.st_uid, self);
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fmt::format("it is writable by {} (mode {:o})",
                       (st.st_mode & S_IWOTH) != 0 ? "every user" : "its group",
                       st.st_mode & 07777);
  }
  return {};
}

tl::unexpected<Error> refuse(const std::string& shown, const std::string& why) {
  return fail(ErrorKind::kConflict,
              fmt::format("refusing to use {}: {}; nstopo acts as root on what it finds there, so "
                          "it must belong to the user running nstopo and be writable by nobody "
                          "else (check what is in it, then remove it or fix its owner and mode); "
                          "nothing was changed",
                          shown, why));
}

}  // namespace

Result<UniqueFd> openTrustedDir(int parent, const std::string& name, const std::string& shown,
                                bool create) {
  if (create && ::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
    return sysError("creating " + shown, errno);
  }
  UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ELOOP || error == ENOTDIR) {
      return fail(ErrorKind::kKernel,
                  fmt::format("{} is not a directory (a symlink or file is in its place); nstopo "
                              "will not use it",
                              shown),
                  {}, error);
    }
    return sysError("opening " + shown, error);
  }

  struct stat st {};

  if (::fstat(fd.get(), &st) != 0) {
    return sysError("checking " + shown, errno);
  }
  if (auto why = distrust(st); !why.empty()) {
    return refuse(shown, why);
  }
  return fd;
}

Result<UniqueFd> openTrustedFile(int dir, const std::string& name, const std::string& shown,
                                 int flags, mode_t mode) {
  // O_NONBLOCK: a FIFO in the file's place must not hang the run before the type check.
  UniqueFd fd(::openat(dir, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ELOOP) {
      return fail(ErrorKind::kConflict,
                  fmt::format("refusing to use {}: it is a symlink; nstopo never reads or writes "
                              "its state through one; nothing was changed",
                              shown),
                  {}, error);
    }
    return sysError("opening " + shown, error);
  }

  struct stat st {};

  if (::fstat(fd.get(), &st) != 0) {
    return sysError("checking " + shown, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return fail(
        ErrorKind::kConflict,
        fmt::format("refusing to use {}: it is not a regular file; nothing was changed", shown));
  }
  if (auto why = distrust(st); !why.empty()) {
    return refuse(shown, why);
  }
  // Back to blocking I/O for the reads and writes that follow.
  const int status = ::fcntl(fd.get(), F_GETFL);
  if (status >= 0) {
    (void)::fcntl(fd.get(), F_SETFL, status & ~O_NONBLOCK);
  }
  return fd;
}

Result<std::string> readBounded(int fd, std::size_t max_bytes, const std::string& shown) {
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return sysError("reading " + shown, errno);
    }
    if (got == 0) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > max_bytes) {
      return fail(ErrorKind::kConflict,
                  fmt::format("refusing to use {}: it is larger than {} bytes, more than nstopo "
                              "ever writes there",
                              shown, max_bytes));
    }
  }
}

Status writeAll(int fd, const std::string& text, const std::string& shown) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      return sysError("writing " + shown, errno);
    }
    done += static_cast<std::size_t>(wrote);
  }
  return {};
}

bool isAbsent(const Error& error) {
  return error.kind == ErrorKind::kKernel &&
         (error.sys_errno == ENOENT || error.sys_errno == ELOOP || error.sys_errno == ENOTDIR);
}

}  // namespace nstopo::app
