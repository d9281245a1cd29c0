// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/records.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/core/names.h"

namespace nstopo::app {
namespace {

constexpr const char* kRecordFile = "lab.json";
constexpr const char* kJournalFile = "journal.json";

tl::unexpected<Error> ioError(const std::string& what) {
  const int error = errno;
  return fail(ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(error)), {}, error);
}

/// Creates `path` as a 0700 directory, refusing anything that is not a real directory.
Status ensurePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return ioError("creating " + path);
  }

  struct stat st {};

  if (::lstat(path.c_str(), &st) != 0) {
    return ioError("checking " + path);
  }
  if (!S_ISDIR(st.st_mode)) {
    return fail(ErrorKind::kConflict,
                fmt::format("{} is not a directory (a symlink or file is in its place); nstopo "
                            "will not write through it",
                            path));
  }
  return {};
}

}  // namespace

Result<std::optional<LabRecord>> RecordStore::load(const std::string& lab) const {
  if (labNameProblem(lab)) {
    return std::optional<LabRecord>{};
  }

  struct stat dir {};

  if (::lstat((root_ + "/" + lab).c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode)) {
    return std::optional<LabRecord>{};  // nothing, or a symlink nstopo did not make
  }
  const std::string path = root_ + "/" + lab + "/" + kRecordFile;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::optional<LabRecord>{};
    }
    return ioError("reading " + path);
  }
  std::string text;
  char buffer[4096];
  for (ssize_t got = 0; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return fail(ErrorKind::kConflict, fmt::format("{} is not a record nstopo wrote", path));
  }
  LabRecord record;
  record.lab = json.value("lab", lab);
  record.file = json.value("file", "");
  record.netns = json.value("netns", std::vector<std::string>{});
  return std::optional<LabRecord>{std::move(record)};
}

Status RecordStore::save(const LabRecord& record) const {
  if (auto ok = ensurePrivateDir(root_); !ok) {
    return ok;
  }
  const std::string dir = root_ + "/" + record.lab;
  if (auto ok = ensurePrivateDir(dir); !ok) {
    return ok;
  }
  const nlohmann::json json = {{"lab", record.lab}, {"file", record.file}, {"netns", record.netns}};
  // The file's path is informational here; a path that is not UTF-8 must not abort the apply.
  const std::string text =
      json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const std::string temp = dir + "/.lab.json.tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return ioError("writing " + temp);
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || ::rename(temp.c_str(), (dir + "/" + kRecordFile).c_str()) != 0) {
    return ioError("writing " + dir + "/" + kRecordFile);
  }
  return {};
}

Status RecordStore::saveJournal(const std::string& lab, const Journal& journal) const {
  if (auto ok = ensurePrivateDir(root_); !ok) {
    return ok;
  }
  const std::string dir = root_ + "/" + lab;
  if (auto ok = ensurePrivateDir(dir); !ok) {
    return ok;
  }
  const std::string text =
      nlohmann::json{{"netns", journal.netns}, {"links", journal.links}}.dump() + "\n";
  const std::string path = dir + "/" + kJournalFile;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return ioError("writing " + path);
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    return ioError("writing " + path);
  }
  return {};
}

Journal RecordStore::loadJournal(const std::string& lab) const {
  Journal journal;
  if (labNameProblem(lab)) {
    return journal;
  }
  std::ifstream in(root_ + "/" + lab + "/" + kJournalFile);
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_object()) {
    journal.netns = json.value("netns", std::vector<std::string>{});
    journal.links = json.value("links", std::vector<std::string>{});
  }
  return journal;
}

void RecordStore::clearJournal(const std::string& lab) const {
  ::unlink((root_ + "/" + lab + "/" + kJournalFile).c_str());
}

Status RecordStore::remove(const std::string& lab) const {
  const std::string dir = root_ + "/" + lab;
  clearJournal(lab);
  if (::unlink((dir + "/" + kRecordFile).c_str()) != 0 && errno != ENOENT) {
    return ioError("removing the record of lab " + lab);
  }
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    return ioError("removing " + dir);
  }
  return {};
}

std::vector<LabRecord> RecordStore::all() const {
  std::vector<LabRecord> records;
  DIR* dir = ::opendir(root_.c_str());
  if (dir == nullptr) {
    return records;
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (name.empty() || name[0] == '.') {
      continue;
    }
    if (auto record = load(name); record && *record) {
      records.push_back(std::move(**record));
    }
  }
  return records;
}

}  // namespace nstopo::app
