// SPDX-License-Identifier: Apache-2.0
#include "nstopo/services/hosts_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

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

/// What tells two names of one file apart from two files: the device and the inode.
struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileId&) const = default;
};

/// What one lstat of a path says: whether anything is there, and which file when it is a
/// regular one (not a symlink).
struct PathStat {
  bool exists = false;
  std::optional<FileId> regular;
};

PathStat statOf(const std::string& path) {
  struct stat st {};

  if (::lstat(path.c_str(), &st) != 0) {
    return {};
  }
  return {true, S_ISREG(st.st_mode) ? std::optional(FileId{st.st_dev, st.st_ino}) : std::nullopt};
}

/// Whether the file holds exactly `text`.
bool contentIs(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  std::string content(text.size() + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<std::size_t>(in.gcount()) == text.size() &&
         content.compare(0, text.size(), text) == 0;
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
  // Every node's file holds the same text, which names every node: written once, the other
  // nodes get hard links to it. Written per node, a lab of 10,000 nodes held 6 GB of copies
  // (N files of N lines) and rewrote them on every apply. A node whose file is already a link to
  // the current text is left alone, so a no-op apply writes nothing.
  std::optional<FileId> shared;
  std::string shared_path;
  for (const auto& [name, node] : topology.nodes) {
    if (name == model::kHostNode) {
      continue;
    }
    const std::string dir = etc_netns + "/" + name;
    const bool made = ::mkdir(dir.c_str(), 0755) == 0;
    if (!made && errno != EEXIST) {
      spdlog::warn("node '{}': cannot create {}: {}", name, dir, std::strerror(errno));
      continue;
    }
    const std::string path = dir + "/hosts";
    // A directory made just now holds nothing: the shared file's new name appears there whole,
    // with no temporary file (2 system calls a node of a new lab instead of 6).
    if (made && shared && ::link(shared_path.c_str(), path.c_str()) == 0) {
      continue;
    }
    const PathStat there = statOf(path);
    if (there.exists && firstLine(path) != mark) {
      spdlog::warn(
          "node '{}': {} was not written by nstopo for this lab; leaving it as it is (names "
          "of the lab do not resolve there)",
          name, path);
      continue;
    }
    const auto& id = there.regular;
    if (shared && id == shared) {
      continue;
    }
    if (!shared && id && contentIs(path, text)) {
      shared = id;
      shared_path = path;
      continue;
    }
    // A temporary file and a rename: a program reading the file never sees half of it.
    const std::string temp = dir + "/.hosts.nstopo-tmp";
    (void)::unlink(temp.c_str());
    // A link fails across file systems or past the file system's count of links (65,000 on
    // ext4); that node gets a copy of its own.
    const bool linked = shared && ::link(shared_path.c_str(), temp.c_str()) == 0;
    if ((!linked && !writeFile(temp, text)) || ::rename(temp.c_str(), path.c_str()) != 0) {
      spdlog::warn("node '{}': cannot write {}: {}", name, path, std::strerror(errno));
      (void)::unlink(temp.c_str());
      continue;
    }
    if (!shared) {
      shared = statOf(path).regular;
      shared_path = path;
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
    if (!statOf(path).exists || firstLine(path) != mark) {
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
