// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/records.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/app/state_dir.h"
#include "nstopo/core/names.h"

namespace nstopo::app {
namespace {

constexpr const char* kRecordFile = "lab.json";
constexpr const char* kRecordTemp = ".lab.json.tmp";
constexpr const char* kJournalFile = "journal.json";
constexpr const char* kJournalTemp = ".journal.json.tmp";
// Far above what nstopo writes for the largest lab it accepts; a bigger file was not written by
// it, and reading it whole would only cost memory.
// (20 000 namespaces and 50 000 veths, both ends, of the longest names: under 10 MiB of journal.)
constexpr std::size_t kMaxRecordBytes = std::size_t{4} << 20;
constexpr std::size_t kMaxJournalBytes = std::size_t{16} << 20;

/// A lab name becomes a path under the root: check it again here, whoever the caller is.
Status checkLabName(const std::string& lab) {
  if (auto problem = labNameProblem(lab)) {
    return fail(ErrorKind::kInvalidTopology,
                fmt::format("refusing lab name '{}' for a path under /run/nstopo: {}",
                            printable(lab), *problem));
  }
  return {};
}

tl::unexpected<Error> ioError(const std::string& what) {
  const int error = errno;
  return fail(ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(error)), {}, error);
}

/// A record or journal that nstopo cannot have written: refused, never half-used.
tl::unexpected<Error> notOurs(const std::string& path, const char* kind,
                              const std::string& detail = {}) {
  return fail(ErrorKind::kConflict,
              fmt::format("{} is not a {} nstopo wrote{}; check it and remove it", path, kind,
                          detail.empty() ? "" : " (" + detail + ")"));
}

/// The strings of a JSON array, or nothing when `value` is not an array of strings.
std::optional<std::vector<std::string>> stringsOf(const nlohmann::json& object, const char* key) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end()) {
    return out;
  }
  if (!it->is_array()) {
    return std::nullopt;
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

/// The `run` id of a record or journal: empty when absent, nothing when it is not a short
/// printable string (nstopo writes hex digits and dashes).
std::optional<std::string> runOf(const nlohmann::json& object) {
  const auto it = object.find("run");
  if (it == object.end()) {
    return std::string{};
  }
  if (!it->is_string()) {
    return std::nullopt;
  }
  auto run = it->get<std::string>();
  const bool plain =
      run.size() <= 64 && run.find_first_not_of("0123456789abcdef-") == std::string::npos;
  return plain ? std::optional(std::move(run)) : std::nullopt;
}

/// An IFLA_GROUP value: an unsigned 32-bit number.
bool isInterfaceGroup(const nlohmann::json& value) {
  return value.is_number_unsigned() && value.get<std::uint64_t>() <= UINT32_MAX;
}

/// Writes `text` to `name` in `dir` through a temporary file and a rename, so a reader (or a run
/// killed half-way) never sees half a file.
Status replaceFile(int dir, const std::string& dir_path, const char* name, const char* temp,
                   const std::string& text) {
  const std::string temp_path = dir_path + "/" + temp;
  if (::unlinkat(dir, temp, 0) != 0 && errno != ENOENT) {
    return ioError("removing " + temp_path);
  }
  {
    auto fd = openTrustedFile(dir, temp, temp_path, O_WRONLY | O_CREAT | O_EXCL);
    if (!fd) {
      return tl::unexpected(fd.error());
    }
    if (auto ok = writeAll(fd->get(), text, temp_path); !ok) {
      return ok;
    }
  }
  if (::renameat(dir, temp, dir, name) != 0) {
    return ioError("writing " + dir_path + "/" + name);
  }
  return {};
}

/// The state root and one lab's directory in it, both checked; with `create` they are made.
struct LabDir {
  UniqueFd root;
  UniqueFd dir;
  std::string path;
};

/// Nothing (an empty optional) when the root or the lab's directory is absent, or a symlink or
/// file stands in its place; an error when either cannot be trusted.
Result<std::optional<LabDir>> openLab(const std::string& root, const std::string& lab,
                                      bool create) {
  auto root_fd = openTrustedDir(AT_FDCWD, root, root, create);
  if (!root_fd) {
    if (!create && isAbsent(root_fd.error())) {
      return std::optional<LabDir>{};
    }
    return tl::unexpected(root_fd.error());
  }
  const std::string path = root + "/" + lab;
  auto dir = openTrustedDir(root_fd->get(), lab, path, create);
  if (!dir) {
    if (!create && isAbsent(dir.error())) {
      return std::optional<LabDir>{};
    }
    return tl::unexpected(dir.error());
  }
  return std::optional<LabDir>{LabDir{std::move(*root_fd), std::move(*dir), path}};
}

/// One of a lab's JSON files, read: its object and its path for messages.
struct LabFile {
  nlohmann::json object;
  std::string path;
};

/// Reads the JSON object in the lab's file `name` (a `kind` of at most `max_bytes`): nothing when
/// the lab's directory or the file is absent; an error when either cannot be trusted, the file is
/// too large, or it holds no JSON object.
Result<std::optional<LabFile>> readLabFile(const std::string& root, const std::string& lab,
                                           const char* name, std::size_t max_bytes,
                                           const char* kind) {
  auto dir = openLab(root, lab, false);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  if (!*dir) {
    return std::optional<LabFile>{};
  }
  const std::string path = (*dir)->path + "/" + name;
  auto fd = openTrustedFile((*dir)->dir.get(), name, path, O_RDONLY);
  if (!fd) {
    if (fd.error().kind == ErrorKind::kKernel && fd.error().sys_errno == ENOENT) {
      return std::optional<LabFile>{};
    }
    return tl::unexpected(fd.error());
  }
  auto text = readBounded(fd->get(), max_bytes, path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return notOurs(path, kind);
  }
  return std::optional<LabFile>{LabFile{std::move(json), path}};
}

}  // namespace

Result<std::optional<LabRecord>> RecordStore::load(const std::string& lab) const {
  if (auto ok = checkLabName(lab); !ok) {
    return tl::unexpected(ok.error());
  }
  auto read = readLabFile(root_, lab, kRecordFile, kMaxRecordBytes, "record");
  if (!read) {
    return tl::unexpected(read.error());
  }
  if (!*read) {
    return std::optional<LabRecord>{};
  }
  const auto& json = (*read)->object;
  const auto& path = (*read)->path;
  LabRecord record;
  record.lab = lab;
  const auto named = json.find("lab");
  if (named != json.end() && (!named->is_string() || named->get<std::string>() != lab)) {
    return notOurs(path, "record", "it names another lab");
  }
  const auto file = json.find("file");
  if (file != json.end()) {
    if (!file->is_string()) {
      return notOurs(path, "record", "its file is not a string");
    }
    record.file = file->get<std::string>();
  }
  auto netns = stringsOf(json, "netns");
  if (!netns) {
    return notOurs(path, "record", "its netns is not a list of names");
  }
  for (const auto& name : *netns) {
    if (netnsNameProblem(name)) {
      return notOurs(path, "record",
                     fmt::format("it lists '{}', which is no namespace name", printable(name)));
    }
  }
  record.netns = std::move(*netns);
  auto run = runOf(json);
  if (!run) {
    return notOurs(path, "record", "its run is not a run id");
  }
  record.run = std::move(*run);
  return std::optional<LabRecord>{std::move(record)};
}

Status RecordStore::save(const LabRecord& record) const {
  if (auto ok = checkLabName(record.lab); !ok) {
    return ok;
  }
  auto dir = openLab(root_, record.lab, true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  nlohmann::json json = {{"lab", record.lab}, {"file", record.file}, {"netns", record.netns}};
  if (!record.run.empty()) {
    json["run"] = record.run;
  }
  // The file's path is informational here; a path that is not UTF-8 must not abort the apply.
  const std::string text =
      json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return replaceFile((*dir)->dir.get(), (*dir)->path, kRecordFile, kRecordTemp, text);
}

Status RecordStore::saveJournal(const std::string& lab, const Journal& journal) const {
  if (auto ok = checkLabName(lab); !ok) {
    return ok;
  }
  auto dir = openLab(root_, lab, true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  nlohmann::json json = {{"netns", journal.netns}, {"links", journal.links}};
  if (!journal.stacked_netns.empty()) {
    json["stacked_netns"] = journal.stacked_netns;
  }
  if (journal.creation_group != 0) {
    json["creation_group"] = journal.creation_group;
  }
  if (!journal.earlier_groups.empty()) {
    json["earlier_groups"] = journal.earlier_groups;
  }
  if (journal.deletion_group != 0) {
    json["deletion_group"] = journal.deletion_group;
  }
  if (!journal.run.empty()) {
    json["run"] = journal.run;
  }
  const std::string text =
      json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return replaceFile((*dir)->dir.get(), (*dir)->path, kJournalFile, kJournalTemp, text);
}

Result<Journal> RecordStore::loadJournal(const std::string& lab) const {
  Journal journal;
  if (auto ok = checkLabName(lab); !ok) {
    return tl::unexpected(ok.error());
  }
  auto read = readLabFile(root_, lab, kJournalFile, kMaxJournalBytes, "journal");
  if (!read) {
    return tl::unexpected(read.error());
  }
  if (!*read) {
    return journal;
  }
  const auto& json = (*read)->object;
  const auto& path = (*read)->path;
  auto netns = stringsOf(json, "netns");
  auto links = stringsOf(json, "links");
  auto stacked_netns = stringsOf(json, "stacked_netns");
  if (!netns || !links || !stacked_netns) {
    return notOurs(path, "journal", "its lists are not lists of names");
  }
  journal.netns = std::move(*netns);
  journal.links = std::move(*links);
  journal.stacked_netns = std::move(*stacked_netns);
  const auto group = json.find("creation_group");
  if (group != json.end()) {
    if (!isInterfaceGroup(*group)) {
      return notOurs(path, "journal", "its creation_group is not an interface group");
    }
    journal.creation_group = group->get<std::uint32_t>();
  }
  const auto deletion = json.find("deletion_group");
  if (deletion != json.end()) {
    if (!isInterfaceGroup(*deletion)) {
      return notOurs(path, "journal", "its deletion_group is not an interface group");
    }
    journal.deletion_group = deletion->get<std::uint32_t>();
  }
  const auto earlier = json.find("earlier_groups");
  if (earlier != json.end()) {
    if (!earlier->is_array()) {
      return notOurs(path, "journal", "its earlier_groups is not a list of interface groups");
    }
    for (const auto& item : *earlier) {
      if (!isInterfaceGroup(item)) {
        return notOurs(path, "journal", "its earlier_groups is not a list of interface groups");
      }
      journal.earlier_groups.push_back(item.get<std::uint32_t>());
    }
  }
  auto run = runOf(json);
  if (!run) {
    return notOurs(path, "journal", "its run is not a run id");
  }
  journal.run = std::move(*run);
  return journal;
}

Status RecordStore::clearJournal(const std::string& lab) const {
  if (auto ok = checkLabName(lab); !ok) {
    return ok;
  }
  auto dir = openLab(root_, lab, false);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  if (*dir && ::unlinkat((*dir)->dir.get(), kJournalFile, 0) != 0 && errno != ENOENT) {
    return ioError("removing " + (*dir)->path + "/" + kJournalFile);
  }
  return {};
}

Status RecordStore::remove(const std::string& lab) const {
  if (auto ok = checkLabName(lab); !ok) {
    return ok;
  }
  auto root = openTrustedDir(AT_FDCWD, root_, root_, false);
  if (!root) {
    return root.error().sys_errno == ENOENT ? Status{} : tl::unexpected(root.error());
  }
  const std::string path = root_ + "/" + lab;
  auto dir = openTrustedDir(root->get(), lab, path, false);
  if (!dir) {
    // Nothing to remove; a symlink or file in the directory's place is refused, not followed.
    return dir.error().sys_errno == ENOENT ? Status{} : tl::unexpected(dir.error());
  }
  for (const char* name : {kJournalFile, kJournalTemp, kRecordTemp, kRecordFile}) {
    if (::unlinkat(dir->get(), name, 0) != 0 && errno != ENOENT) {
      return ioError(fmt::format("removing {}/{}", path, name));
    }
  }
  if (::unlinkat(root->get(), lab.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ioError("removing " + path);
  }
  return {};
}

Result<std::vector<LabRecord>> RecordStore::all() const {
  std::vector<LabRecord> records;
  auto root = openTrustedDir(AT_FDCWD, root_, root_, false);
  if (!root) {
    if (isAbsent(root.error())) {
      return records;
    }
    return tl::unexpected(root.error());
  }
  // fdopendir takes the descriptor over: hand it a copy of the checked one.
  DIR* dir = ::fdopendir(::fcntl(root->get(), F_DUPFD_CLOEXEC, 0));
  if (dir == nullptr) {
    return ioError("listing " + root_);
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (name.empty() || name[0] == '.' || labNameProblem(name)) {
      continue;  // no lab of nstopo's can have this name
    }
    auto record = load(name);
    if (!record) {
      return tl::unexpected(record.error());
    }
    if (*record) {
      records.push_back(std::move(**record));
    }
  }
  return records;
}

}  // namespace nstopo::app
