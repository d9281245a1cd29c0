// SPDX-License-Identifier: Apache-2.0
#include "nstopo/services/service_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "nstopo/app/state_dir.h"

namespace nstopo::services {
namespace {

constexpr const char* kServicesDir = "services";
constexpr const char* kLogsDir = "logs";
constexpr const char* kRuntimeDir = "runtime";
/// Programs may nest directories in their runtime directory; deeper than this is left alone.
constexpr int kMaxRuntimeDepth = 32;
constexpr std::size_t kMaxStateBytes = 4096;
/// A definition holds a whole command line and environment.
constexpr std::size_t kMaxDefinitionBytes = 1024 * 1024;
constexpr std::size_t kMaxTailBytes = 64 * 1024;

std::string stateFile(const std::string& node, const std::string& name, const char* suffix) {
  return node + "." + name + suffix;
}

/// The entries of a directory (not . and ..); none when it cannot be listed.
std::vector<std::string> entriesOf(int dir_fd) {
  std::vector<std::string> names;
  DIR* dir = ::fdopendir(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  if (dir == nullptr) {
    return names;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") {
      names.push_back(name);
    }
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Removes `name` in `parent_fd` and, when it is a directory, everything under it. Never
/// follows a symbolic link: a link is removed as a link, and a directory is entered only through
/// O_NOFOLLOW. Best effort: what cannot be removed stays, and the caller's removal of the parent
/// reports it.
void removeTree(int parent_fd, const std::string& name, int depth) {
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0 || errno == ENOENT) {
    return;
  }
  if (errno != EISDIR || depth > kMaxRuntimeDepth) {
    return;
  }
  const int dir =
      ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) {
    return;
  }
  const UniqueFd owned(dir);
  for (const auto& entry : entriesOf(owned.get())) {
    removeTree(owned.get(), entry, depth + 1);
  }
  (void)::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR);
}

Result<std::string> readSmall(int dir, const std::string& name, const std::string& shown) {
  auto fd = app::openTrustedFile(dir, name, shown, O_RDONLY);
  if (!fd) {
    return tl::unexpected(fd.error());
  }
  return app::readBounded(fd->get(), kMaxStateBytes, shown);
}

}  // namespace

Result<UniqueFd> ServiceStore::labDir(bool create) const {
  auto root = app::openTrustedDir(AT_FDCWD, root_, root_, create);
  if (!root) {
    return tl::unexpected(root.error());
  }
  return app::openTrustedDir(root->get(), lab_, root_ + "/" + lab_, create);
}

Result<UniqueFd> ServiceStore::subDir(const char* name, bool create) const {
  auto lab = labDir(create);
  if (!lab) {
    return tl::unexpected(lab.error());
  }
  return app::openTrustedDir(lab->get(), name, fmt::format("{}/{}/{}", root_, lab_, name), create);
}

Result<UniqueFd> ServiceStore::servicesDir(bool create) const {
  return subDir(kServicesDir, create);
}

Result<std::vector<ServiceRecord>> ServiceStore::load() const {
  std::vector<ServiceRecord> records;
  auto dir = servicesDir(false);
  if (!dir) {
    if (app::isAbsent(dir.error())) {
      return records;
    }
    return tl::unexpected(dir.error());
  }
  for (const auto& file : entriesOf(dir->get())) {
    if (!endsWith(file, ".pid")) {
      continue;
    }
    const std::string stem = file.substr(0, file.size() - 4);
    const auto dot = stem.rfind('.');  // a service name has no dot; a node name may
    if (dot == std::string::npos) {
      continue;
    }
    auto text =
        readSmall(dir->get(), file, fmt::format("{}/{}/{}/{}", root_, lab_, kServicesDir, file));
    if (!text) {
      return tl::unexpected(text.error());
    }
    ServiceRecord record;
    record.node = stem.substr(0, dot);
    record.name = stem.substr(dot + 1);
    std::istringstream in(*text);
    in >> record.process.pid >> record.process.start_time >> record.process.netns_inode >>
        record.supervisor.pid >> record.supervisor.start_time >> record.fingerprint;
    record.supervisor.netns_inode = record.process.netns_inode;
    records.push_back(std::move(record));
  }
  return records;
}

Status ServiceStore::save(const ServiceRecord& record) const {
  auto dir = servicesDir(true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  const std::string name = stateFile(record.node, record.name, ".pid");
  const std::string shown = fmt::format("{}/{}/{}/{}", root_, lab_, kServicesDir, name);
  auto fd = app::openTrustedFile(dir->get(), name, shown, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd) {
    return tl::unexpected(fd.error());
  }
  // First the program's pid alone, so `read pid rest < FILE` in a shell gets it.
  return app::writeAll(
      fd->get(),
      fmt::format("{} {} {} {} {} {}\n", record.process.pid, record.process.start_time,
                  record.process.netns_inode, record.supervisor.pid, record.supervisor.start_time,
                  record.fingerprint),
      shown);
}

Status ServiceStore::erase(const std::string& node, const std::string& name) const {
  auto dir = servicesDir(false);
  if (!dir) {
    return app::isAbsent(dir.error()) ? Status{} : tl::unexpected(dir.error());
  }
  for (const char* suffix : {".pid", ".def", ".exit"}) {
    const auto file = stateFile(node, name, suffix);
    if (::unlinkat(dir->get(), file.c_str(), 0) != 0 && errno != ENOENT) {
      return fail(ErrorKind::kKernel, fmt::format("removing {}/{}/{}/{}: {}", root_, lab_,
                                                  kServicesDir, file, std::strerror(errno)));
    }
  }
  return {};
}

Status ServiceStore::saveDefinition(const std::string& node, const std::string& name,
                                    const std::string& text) const {
  auto dir = servicesDir(true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  const std::string file = stateFile(node, name, ".def");
  const std::string shown = fmt::format("{}/{}/{}/{}", root_, lab_, kServicesDir, file);
  auto fd = app::openTrustedFile(dir->get(), file, shown, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd) {
    return tl::unexpected(fd.error());
  }
  return app::writeAll(fd->get(), text, shown);
}

std::optional<std::string> ServiceStore::definition(const std::string& node,
                                                    const std::string& name) const {
  auto dir = servicesDir(false);
  if (!dir) {
    return std::nullopt;
  }
  const std::string file = stateFile(node, name, ".def");
  auto fd = app::openTrustedFile(dir->get(), file, file, O_RDONLY);
  if (!fd) {
    return std::nullopt;
  }
  auto text = app::readBounded(fd->get(), kMaxDefinitionBytes, file);
  return text ? std::optional<std::string>(std::move(*text)) : std::nullopt;
}

std::optional<int> ServiceStore::exitStatus(const std::string& node,
                                            const std::string& name) const {
  auto dir = servicesDir(false);
  if (!dir) {
    return std::nullopt;
  }
  auto text = readSmall(dir->get(), stateFile(node, name, ".exit"), "exit status");
  if (!text || text->empty()) {
    return std::nullopt;
  }
  try {
    return std::stoi(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string ServiceStore::execStamp(const std::string& node) const {
  auto dir = servicesDir(false);
  if (!dir) {
    return "";
  }
  auto text = readSmall(dir->get(), node + ".exec", "exec stamp");
  return text ? *text : "";
}

Status ServiceStore::saveExecStamp(const std::string& node, const std::string& stamp) const {
  auto dir = servicesDir(true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  const std::string shown = fmt::format("{}/{}/{}/{}.exec", root_, lab_, kServicesDir, node);
  auto fd = app::openTrustedFile(dir->get(), node + ".exec", shown, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd) {
    return tl::unexpected(fd.error());
  }
  return app::writeAll(fd->get(), stamp, shown);
}

std::string ServiceStore::logPath(const std::string& file_stem) const {
  return fmt::format("{}/{}/{}/{}.log", root_, lab_, kLogsDir, file_stem);
}

Result<UniqueFd> ServiceStore::openLog(const std::string& file_stem, bool truncate) const {
  auto dir = subDir(kLogsDir, true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  return app::openTrustedFile(dir->get(), file_stem + ".log", logPath(file_stem),
                              O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0));
}

std::string ServiceStore::logTail(const std::string& file_stem, std::size_t lines) const {
  auto dir = subDir(kLogsDir, false);
  if (!dir) {
    return "";
  }
  auto fd = app::openTrustedFile(dir->get(), file_stem + ".log", logPath(file_stem), O_RDONLY);
  if (!fd) {
    return "";
  }
  const off_t size = ::lseek(fd->get(), 0, SEEK_END);
  const auto most = static_cast<off_t>(kMaxTailBytes);
  const off_t from = size > most ? size - most : 0;
  ::lseek(fd->get(), from, SEEK_SET);
  auto text = app::readBounded(fd->get(), kMaxTailBytes, logPath(file_stem));
  if (!text) {
    return "";
  }
  std::string tail = *text;
  while (!tail.empty() && tail.back() == '\n') {
    tail.pop_back();
  }
  std::size_t cut = tail.size();
  for (std::size_t seen = 0; seen < lines && cut != std::string::npos && cut > 0; ++seen) {
    cut = tail.rfind('\n', cut - 1);
  }
  return cut == std::string::npos || cut == 0 ? tail : tail.substr(cut + 1);
}

std::vector<std::string> ServiceStore::logs() const {
  std::vector<std::string> out;
  auto dir = subDir(kLogsDir, false);
  if (!dir) {
    return out;
  }
  for (const auto& file : entriesOf(dir->get())) {
    if (endsWith(file, ".log")) {
      out.push_back(file.substr(0, file.size() - 4));
    }
  }
  return out;
}

std::map<std::string, std::string> ServiceStore::nodeVariables(const std::string& node) const {
  return {{"NSTOPO_LAB", lab_}, {"NSTOPO_NODE", node}, {"NSTOPO_RUNTIME_DIR", runtimePath(node)}};
}

std::string ServiceStore::runtimePath(const std::string& node) const {
  return fmt::format("{}/{}/{}/{}", root_, lab_, kRuntimeDir, node);
}

Result<std::string> ServiceStore::makeRuntimeDir(const std::string& node) const {
  auto runtime = subDir(kRuntimeDir, true);
  if (!runtime) {
    return tl::unexpected(runtime.error());
  }
  const std::string path = runtimePath(node);
  auto dir = app::openTrustedDir(runtime->get(), node, path, true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  return path;
}

void ServiceStore::removeRuntimeDirsExcept(const std::vector<std::string>& keep) const {
  auto runtime = subDir(kRuntimeDir, false);
  if (!runtime) {
    return;
  }
  for (const auto& node : entriesOf(runtime->get())) {
    if (std::find(keep.begin(), keep.end(), node) == keep.end()) {
      removeTree(runtime->get(), node, 0);
    }
  }
}

Status ServiceStore::removeAll() const {
  if (auto lab = labDir(false); lab) {
    removeTree(lab->get(), kRuntimeDir, 0);
  }
  for (const char* name : {kServicesDir, kLogsDir}) {
    auto dir = subDir(name, false);
    if (!dir) {
      if (app::isAbsent(dir.error())) {
        continue;
      }
      return tl::unexpected(dir.error());
    }
    for (const auto& file : entriesOf(dir->get())) {
      (void)::unlinkat(dir->get(), file.c_str(), 0);
    }
    auto lab = labDir(false);
    if (lab && ::unlinkat(lab->get(), name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
      return fail(ErrorKind::kKernel,
                  fmt::format("removing {}/{}/{}: {}", root_, lab_, name, std::strerror(errno)));
    }
  }
  return {};
}

}  // namespace nstopo::services
