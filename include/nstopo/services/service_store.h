// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/service_process.h"

/// What nstopo remembers about a lab's services, under its state directory (app/state_dir.h:
/// trusted directories, no symlinks): /run/nstopo/LAB/services holds NODE.NAME.pid (the
/// program's and its supervisor's identities and the definition's fingerprint), NODE.NAME.def
/// (the definition itself, for a rollback to start it again), NODE.NAME.exit
/// (its exit status, written by the supervisor when it ends) and NODE.exec (the fingerprint of
/// the exec commands last run in that namespace); /run/nstopo/LAB/logs holds NODE.NAME.log;
/// /run/nstopo/LAB/runtime/NODE is the node's scratch directory for its programs
/// ($NSTOPO_RUNTIME_DIR: control sockets, generated configuration), gone with the lab.
namespace nstopo::services {

struct ServiceRecord {
  std::string node;
  std::string name;
  sys::ProcessIdentity process;
  sys::ProcessIdentity supervisor;
  std::string fingerprint;  ///< of the definition it was started with
};

class ServiceStore {
 public:
  ServiceStore(std::string root, std::string lab) : root_(std::move(root)), lab_(std::move(lab)) {}

  /// Every recorded service, sorted by node and name; none when the lab has no services dir.
  [[nodiscard]] Result<std::vector<ServiceRecord>> load() const;
  [[nodiscard]] Status save(const ServiceRecord& record) const;
  /// Forgets a service: its pid file and its exit status.
  [[nodiscard]] Status erase(const std::string& node, const std::string& name) const;
  /// The definition a service was started with (NODE.NAME.def), kept until it is erased.
  [[nodiscard]] Status saveDefinition(const std::string& node, const std::string& name,
                                      const std::string& text) const;
  /// That text; nullopt when there is none (a service an older nstopo started).
  [[nodiscard]] std::optional<std::string> definition(const std::string& node,
                                                      const std::string& name) const;
  /// The exit status its supervisor wrote, once it ended.
  [[nodiscard]] std::optional<int> exitStatus(const std::string& node,
                                              const std::string& name) const;

  /// "FINGERPRINT NETNS-INODE" of the exec commands last run in `node`, "" when none ran.
  [[nodiscard]] std::string execStamp(const std::string& node) const;
  [[nodiscard]] Status saveExecStamp(const std::string& node, const std::string& stamp) const;

  /// The services directory (made 0700 with `create`).
  [[nodiscard]] Result<UniqueFd> servicesDir(bool create) const;
  /// Opens (creates, appends to) the log of `file_stem` ("NODE.NAME") for a child to write.
  [[nodiscard]] Result<UniqueFd> openLog(const std::string& file_stem, bool truncate) const;
  /// The last `lines` lines of a log (for an error message), "" when it has none.
  [[nodiscard]] std::string logTail(const std::string& file_stem, std::size_t lines) const;
  [[nodiscard]] std::string logPath(const std::string& file_stem) const;
  /// The names ("NODE.NAME") of every log, sorted.
  [[nodiscard]] std::vector<std::string> logs() const;

  /// What every program of `node` sees (docs/services.md): NSTOPO_LAB, NSTOPO_NODE and
  /// NSTOPO_RUNTIME_DIR (the runtime directory's path; it may not exist).
  [[nodiscard]] std::map<std::string, std::string> nodeVariables(const std::string& node) const;
  /// Where the node's runtime directory is (it may not exist).
  [[nodiscard]] std::string runtimePath(const std::string& node) const;
  /// The node's runtime directory, made 0700 (with the lab's directories) when missing.
  [[nodiscard]] Result<std::string> makeRuntimeDir(const std::string& node) const;
  /// Removes the runtime directories of nodes not in `keep`, with whatever their programs left.
  void removeRuntimeDirsExcept(const std::vector<std::string>& keep) const;

  /// Removes the services, logs and runtime directories with everything in them.
  [[nodiscard]] Status removeAll() const;

  [[nodiscard]] const std::string& lab() const { return lab_; }

 private:
  [[nodiscard]] Result<UniqueFd> labDir(bool create) const;
  [[nodiscard]] Result<UniqueFd> subDir(const char* name, bool create) const;

  std::string root_;
  std::string lab_;
};

}  // namespace nstopo::services
