// SPDX-License-Identifier: Apache-2.0
// Reading a topology file that may come from someone else (issue 22, finding 2): a symbolic link
// is refused unless --follow-symlinks, anything but a regular file is refused without blocking,
// and no message quotes more than 64 characters of a key or value.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/core/names.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

namespace nstopo {
namespace {

namespace fs = std::filesystem;

/// A fresh directory under $TMPDIR, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "nstopo-file-test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
    }
    path_ = pattern;
  }

  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> linesOf(const parse::LoadResult& loaded) {
  std::vector<std::string> out;
  for (const auto& problem : loaded.problems) {
    out.push_back(formatError(problem));
  }
  return out;
}

constexpr const char* kLab = "name: lab\nnodes:\n  ns1: {}\n";

/// A line shaped like one of /etc/shadow: as YAML, a mapping with one unknown key, which the parser
/// quotes. This is how a lab.yaml that was a symlink to a root-only file leaked a password hash.
constexpr const char* kSecret = "root:$6$SALTSALT$HASHHASHHASHHASHHASHHASHHASHHASH: 19000\n";

TEST(TopologyFile, TheAttackQuotesTheSecretWhenTheFileIsReadDirectly) {
  // The reproduction: read as a topology, the secret's first line is quoted in the message.
  // This is why a link to it must not be followed.
  ScratchDir dir;
  writeFile(dir.file("secret"), kSecret);
  const auto lines = linesOf(parse::loadTopologyFile(dir.file("secret")));
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.front().find("SALTSALT"), std::string::npos) << lines.front();
}

TEST(TopologyFile, ASymbolicLinkIsRefusedInOneLineWithoutReadingIt) {
  ScratchDir dir;
  writeFile(dir.file("secret"), kSecret);
  fs::create_symlink(dir.file("secret"), dir.file("lab.yaml"));
  const auto lines = linesOf(parse::loadTopologyFile(dir.file("lab.yaml")));
  ASSERT_EQ(lines.size(), 1U) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0], "error: topology file '" + dir.file("lab.yaml") +
                          "' is a symbolic link; nstopo does not follow it (pass "
                          "--follow-symlinks to read the file it points to)");
  EXPECT_EQ(lines[0].find("SALT"), std::string::npos);
}

TEST(TopologyFile, FollowSymlinksReadsTheFileALinkPointsTo) {
  ScratchDir dir;
  writeFile(dir.file("real.yaml"), kLab);
  fs::create_symlink(dir.file("real.yaml"), dir.file("lab.yaml"));
  parse::LoadOptions options;
  options.follow_symlinks = true;
  const auto loaded = parse::loadTopologyFile(dir.file("lab.yaml"), options);
  EXPECT_TRUE(loaded.problems.empty()) << ::testing::PrintToString(linesOf(loaded));
  EXPECT_EQ(loaded.topology.name, "lab");
  // Even then, what it points to must be a regular file.
  fs::create_symlink("/dev/zero", dir.file("zero.yaml"));
  const auto zero = linesOf(parse::loadTopologyFile(dir.file("zero.yaml"), options));
  ASSERT_EQ(zero.size(), 1U);
  EXPECT_NE(zero[0].find("is a character device; a topology must be a regular file"),
            std::string::npos)
      << zero[0];
}

TEST(TopologyFile, AFifoIsRefusedWithoutBlocking) {
  // Opening a FIFO without a writer blocks forever, unless O_NONBLOCK.
  ScratchDir dir;
  const auto fifo = dir.file("lab.yaml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto loading = std::async(std::launch::async, [&] { return parse::loadTopologyFile(fifo); });
  if (loading.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "loading a FIFO blocked";
    // Let the blocked open return: a writer appears and goes away.
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) {
      ::close(writer);
    }
    return;
  }
  const auto lines = linesOf(loading.get());
  ASSERT_EQ(lines.size(), 1U) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0], "error: topology file '" + fifo +
                          "' is a FIFO (named pipe); a topology must be a regular file");
}

TEST(TopologyFile, DevicesAndDirectoriesAreRefusedByType) {
  ScratchDir dir;
  const auto zero = linesOf(parse::loadTopologyFile("/dev/zero"));
  ASSERT_EQ(zero.size(), 1U);
  EXPECT_EQ(zero[0],
            "error: topology file '/dev/zero' is a character device; a topology must be a "
            "regular file");
  const auto directory = linesOf(parse::loadTopologyFile(dir.file("")));
  ASSERT_EQ(directory.size(), 1U);
  EXPECT_NE(directory[0].find("is a directory; a topology must be a regular file"),
            std::string::npos)
      << directory[0];
}

TEST(Excerpt, KeepsShortTextAndCutsLongTextWithAnEllipsis) {
  EXPECT_EQ(excerpt("eth0"), "eth0");
  EXPECT_EQ(excerpt(std::string(64, 'a')), std::string(64, 'a'));
  EXPECT_EQ(excerpt(std::string(65, 'a')), std::string(64, 'a') + "\u2026");
  // Characters, not bytes: 70 two-byte characters keep 64 of them whole.
  std::string accents;
  for (int i = 0; i < 70; ++i) {
    accents += "\xc3\xa9";
  }
  EXPECT_EQ(excerpt(accents), accents.substr(0, 128) + "\u2026");
  // Still printable: a control character is \xNN and counts as one.
  EXPECT_EQ(excerpt(std::string("a\x1b]0;b", 6)), "a\\x1b]0;b");
}

/// A value of 64 harmless characters, then text a message must never show.
const std::string kLong = std::string(64, 'k') + "LEAKEDLEAKEDLEAKEDLEAKEDLEAKEDLEAKED-REST";

/// Files with kLong in one place each, every place the parser or the validator quotes.
std::vector<std::string> filesQuotingALongValue() {
  const std::string v = kLong;
  const std::string node = "name: lab\nnodes:\n  ns1:\n";
  return {
      "name: lab\nnodes: {ns1: {}}\n" + v + ": 1\n",
      "name: " + v + "\nnodes: {}\n",
      "name: lab\nnodes:\n  " + v + ": {}\n",
      node + "    interfaces:\n      e: {addresses: [" + v + "]}\n",
      node + "    interfaces:\n      e: {mac: " + v + "}\n",
      node + "    interfaces:\n      e: {" + v + ": 1}\n",
      node + "    interfaces:\n      " + v + ": {}\n",
      node + "    interfaces:\n      e: {mtu: " + v + "}\n",
      node + "    routes: [{to: " + v + ", dev: e}]\n",
      node + "    routes: [{to: default, via: " + v + "}]\n",
      node + "    routes: [{to: 10.0.0.0/8, dev: " + v + "}]\n",
      node + "    routes: [{to: default, dev: e, family: " + v + "}]\n",
      node + "    sysctls: {" + v + ": 1}\n",
      node + "    sysctls: {net.ipv4.ip_forward: [" + v + "]}\n",
      "name: lab\nnodes: {ns1: {}}\nbridges: {" + v + ": {}}\n",
      "name: lab\nnodes: {ns1: {}}\nbridges: {br0: {node: " + v + "}}\n",
      "name: lab\nnodes: {ns1: {}}\nbridges: {br0: {kind: " + v + "}}\n",
      "name: lab\nnodes: {ns1: {}}\nbridges: {o: {kind: ovs, external_ids: {" + v + ": [1]}}}\n",
      "name: lab\nnodes: {ns1: {}}\nbridges: {o: {kind: ovs, ports: {" + v + ": {}}}}\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: " + v + "}]\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: veth, endpoints: [" + v + ", ns1:e]}]\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: veth, endpoints: [" + v + ":e, ns1:e]}]\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: veth, endpoints: [ns1:" + v + ", ns1:e]}]\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: macvlan, parent: host:" + v +
          ", endpoint: ns1:m}]\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: macvlan, parent: ns1:" + v +
          ", endpoint: ns1:m}]\n",
      "name: lab\nnodes: {ns1: {}}\nlinks: [{kind: macvlan, parent: host:eth0, endpoint: ns1:m, "
      "mode: " +
          v + "}]\n",
      "name: lab\nnodes: {ns1: {}}\nverify: {expect: [{from: " + v + ", to: ns1}]}\n",
      "name: lab\nnodes: {ns1: {}}\nverify: {expect: [{from: ns1, to: " + v + "}]}\n",
      "name: lab\nnodes: {ns1: {}}\nverify: {expect: [{from: ns1, to: 'ns1:" + v + "'}]}\n",
      "name: lab\nnodes: {ns1: {}}\nverify: {expect: [{from: ns1, to: ns1, protocol: " + v +
          "}]}\n",
      "%YAML " + v + "\n---\nname: lab\nnodes: {ns1: {}}\n",
  };
}

TEST(TopologyFile, NoMessageQuotesMoreThan64CharactersOfAKeyOrValue) {
  const std::string shown = std::string(64, 'k') + "\u2026";
  std::size_t cut_seen = 0;
  for (const auto& text : filesQuotingALongValue()) {
    auto loaded = parse::parseTopology(text, "lab.yaml");
    if (loaded.problems.empty()) {
      loaded.problems = model::validate(loaded.topology);
    }
    const auto lines = linesOf(loaded);
    EXPECT_FALSE(lines.empty()) << "accepted: " << text;
    for (const auto& line : lines) {
      EXPECT_EQ(line.find("LEAKED"), std::string::npos) << text << "\n -> " << line;
      if (line.find(shown) != std::string::npos) {
        ++cut_seen;
      }
    }
  }
  // Most of them do quote the value, cut: the check above is not vacuous.
  EXPECT_GE(cut_seen, 20U);
}

}  // namespace
}  // namespace nstopo
