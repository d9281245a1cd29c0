// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/kernel_modules.h"

#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace nstopo::sys {
namespace {

/// modprobe treats '-' and '_' alike in module names.
std::string normalised(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

/// Whether a modules.builtin or modules.dep line ("kernel/drivers/net/macvlan.ko.xz: deps")
/// names `module`.
bool listsModule(const std::string& line, const std::string& module) {
  const auto colon = line.find(':');
  const std::string path = line.substr(0, colon);
  const auto slash = path.rfind('/');
  std::string file = path.substr(slash == std::string::npos ? 0 : slash + 1);
  const auto ko = file.find(".ko");
  if (ko == std::string::npos) {
    return false;
  }
  return normalised(file.substr(0, ko)) == module;
}

bool fileListsModule(const std::string& path, const std::string& module) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (listsModule(line, module)) {
      return true;
    }
  }
  return false;
}

}  // namespace

ModuleFiles ModuleFiles::running() {
  ModuleFiles files;

  struct utsname kernel {};

  if (::uname(&kernel) == 0) {
    const std::string dir = std::string("/lib/modules/") + kernel.release;
    files.builtin = dir + "/modules.builtin";
    files.loadable = dir + "/modules.dep";
  }
  return files;
}

bool moduleNeedsLoading(const std::string& name, const ModuleFiles& files) {
  const std::string module = normalised(name);
  std::ifstream loaded(files.loaded);
  if (!loaded) {
    return false;  // a kernel without loadable modules: everything it has is built in
  }
  std::string line;
  while (std::getline(loaded, line)) {
    if (normalised(line.substr(0, line.find(' '))) == module) {
      return false;
    }
  }
  return !fileListsModule(files.builtin, module) && fileListsModule(files.loadable, module);
}

}  // namespace nstopo::sys
