// SPDX-License-Identifier: Apache-2.0
#include "nstopo/services/hosts_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace nstopo::services {
namespace {

std::string firstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool exists(const std::string& path) {
  struct stat st {};

  return ::lstat(path.c_str(), &st) == 0;
}

bool writeFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    return false;
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0;
}

}  // namespace

std::string hostsMark(const std::string& lab) {
  return fmt::format("# nstopo lab {}: written by nstopo, removed when the lab is destroyed", lab);
}

std::string hostsText(const model::Topology& topology) {
  std::string text =
      hostsMark(topology.name) + "\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n";
  for (const auto& [name, node] : topology.nodes) {
    if (name == model::kHostNode) {
      continue;
    }
    for (const auto& [ifname, settings] : node.interfaces) {
      for (const auto& address : settings.addresses) {
        text += fmt::format("{}\t{} {}-{}\n", address.ip.str(), name, name, ifname);
      }
    }
  }
  return text;
}

void writeHostsFiles(const model::Topology& topology, const std::string& etc_netns) {
  const std::string text = hostsText(topology);
  const std::string mark = hostsMark(topology.name);
  if (::mkdir(etc_netns.c_str(), 0755) != 0 && errno != EEXIST) {
    spdlog::warn("hosts files: cannot create {}: {}", etc_netns, std::strerror(errno));
    return;
  }
  for (const auto& [name, node] : topology.nodes) {
    if (name == model::kHostNode) {
      continue;
    }
    const std::string dir = etc_netns + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      spdlog::warn("node '{}': cannot create {}: {}", name, dir, std::strerror(errno));
      continue;
    }
    const std::string path = dir + "/hosts";
    if (exists(path) && firstLine(path) != mark) {
      spdlog::warn(
          "node '{}': {} was not written by nstopo for this lab; leaving it as it is (names "
          "of the lab do not resolve there)",
          name, path);
      continue;
    }
    // A temporary file and a rename: a program reading the file never sees half of it.
    const std::string temp = dir + "/.hosts.nstopo-tmp";
    if (!writeFile(temp, text) || ::rename(temp.c_str(), path.c_str()) != 0) {
      spdlog::warn("node '{}': cannot write {}: {}", name, path, std::strerror(errno));
      (void)::unlink(temp.c_str());
    }
  }
}

void removeHostsFiles(const std::string& lab, const std::vector<std::string>& nodes,
                      const std::string& etc_netns) {
  const std::string mark = hostsMark(lab);
  for (const auto& name : nodes) {
    if (name == model::kHostNode || name.empty() || name.find('/') != std::string::npos) {
      continue;
    }
    const std::string dir = etc_netns + "/" + name;
    const std::string path = dir + "/hosts";
    if (!exists(path) || firstLine(path) != mark) {
      continue;  // not there, or not ours
    }
    if (::unlink(path.c_str()) != 0) {
      spdlog::warn("node '{}': cannot remove {}: {}", name, path, std::strerror(errno));
      continue;
    }
    (void)::rmdir(dir.c_str());  // only when nothing else is in it
  }
}

}  // namespace nstopo::services
