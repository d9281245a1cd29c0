// SPDX-License-Identifier: Apache-2.0
// Issue 15 without privileges: hosts files in a scratch directory, the service store's files,
// and process identities read from /proc.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "nstopo/services/hosts_files.h"
#include "nstopo/services/lab_services.h"
#include "nstopo/services/service_definition.h"
#include "nstopo/services/service_store.h"
#include "nstopo/sys/service_process.h"

#include "support/file_text.h"
#include "support/topology_text.h"

namespace nstopo {
namespace {

namespace fs = std::filesystem;

/// A private scratch directory (0700, as mkdtemp makes it), removed at the end.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "nstopo-services-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }

  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr const char* kLab = R"(name: lab
nodes:
  r1:
    interfaces:
      eth0: {addresses: [10.0.0.1/24, 2001:db8::1/64]}
      lo: {addresses: [192.0.2.1/32]}
  r2:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
links:
  - kind: veth
    endpoints: [r1:eth0, r2:eth0]
)";

TEST(HostsFiles, NameEveryNodeAndInterface) {
  const auto topology = support::validTopology(kLab);
  EXPECT_EQ(services::hostsText(topology),
            "# nstopo lab lab: written by nstopo, removed when the lab is destroyed\n"
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost\n"
            "10.0.0.1\tr1 r1-eth0\n"
            "2001:db8::1\tr1 r1-eth0\n"
            "192.0.2.1\tr1 r1-lo\n"
            "10.0.0.2\tr2 r2-eth0\n");
}

TEST(HostsFiles, WrittenRemovedAndNeverOverwritten) {
  const Scratch etc;
  const auto topology = support::validTopology(kLab);
  fs::create_directories(etc.path() + "/r2");
  std::ofstream(etc.path() + "/r2/hosts") << "10.1.1.1 someone-else\n";
  services::writeHostsFiles(topology, etc.path());
  EXPECT_EQ(support::fileText(etc.path() + "/r1/hosts"), services::hostsText(topology));
  EXPECT_EQ(support::fileText(etc.path() + "/r2/hosts"), "10.1.1.1 someone-else\n");
  services::removeHostsFiles("lab", {"r1", "r2"}, etc.path());
  EXPECT_FALSE(fs::exists(etc.path() + "/r1"));
  EXPECT_EQ(support::fileText(etc.path() + "/r2/hosts"), "10.1.1.1 someone-else\n");
  // Another lab's mark is not this lab's.
  services::writeHostsFiles(topology, etc.path());
  services::removeHostsFiles("other", {"r1"}, etc.path());
  EXPECT_TRUE(fs::exists(etc.path() + "/r1/hosts"));
}

/// The file a name points to: two names with the same inode are links to one file.
ino_t inodeOf(const std::string& path) {
  struct stat st {};

  return ::lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

/// Four nodes; `r3_address` gives r3's eth0 one more address.
std::string fourNodes(const std::string& r3_address) {
  return R"(name: lab
nodes:
  r1: {interfaces: {eth0: {addresses: [10.0.0.1/24]}}}
  r2: {interfaces: {eth0: {addresses: [10.0.0.2/24]}}}
  r3: {interfaces: {eth0: {addresses: [10.0.1.1/24)" +
         r3_address + R"(]}}}
  r4: {interfaces: {eth0: {addresses: [10.0.1.2/24]}}}
links:
  - {kind: veth, endpoints: [r1:eth0, r2:eth0]}
  - {kind: veth, endpoints: [r3:eth0, r4:eth0]}
)";
}

TEST(HostsFiles, OneFileLinkedIntoEveryNodeAndLeftAloneWhenCurrent) {
  const Scratch etc;
  const auto topology = support::validTopology(fourNodes(""));
  fs::create_directories(etc.path() + "/r1");
  std::ofstream(etc.path() + "/r1/hosts") << "10.1.1.1 someone-else\n";
  services::writeHostsFiles(topology, etc.path());
  EXPECT_EQ(support::fileText(etc.path() + "/r1/hosts"), "10.1.1.1 someone-else\n");
  const ino_t shared = inodeOf(etc.path() + "/r2/hosts");
  ASSERT_NE(shared, 0U);
  EXPECT_NE(inodeOf(etc.path() + "/r1/hosts"), shared);
  EXPECT_EQ(inodeOf(etc.path() + "/r3/hosts"), shared);
  EXPECT_EQ(inodeOf(etc.path() + "/r4/hosts"), shared);
  EXPECT_EQ(support::fileText(etc.path() + "/r4/hosts"), services::hostsText(topology));
  EXPECT_FALSE(fs::exists(etc.path() + "/r3/.hosts.nstopo-tmp"));

  // The same lab again: nothing is written (a new file would have a new inode).
  services::writeHostsFiles(topology, etc.path());
  EXPECT_EQ(inodeOf(etc.path() + "/r2/hosts"), shared);
  EXPECT_EQ(inodeOf(etc.path() + "/r4/hosts"), shared);

  // A node whose file someone replaced with a copy of the same text is linked again.
  fs::remove(etc.path() + "/r3/hosts");
  std::ofstream(etc.path() + "/r3/hosts") << services::hostsText(topology);
  services::writeHostsFiles(topology, etc.path());
  EXPECT_EQ(inodeOf(etc.path() + "/r3/hosts"), shared);

  // An edited lab gets its new text in every node, still one file.
  const auto edited = support::validTopology(fourNodes(", 10.9.0.1/30"));
  services::writeHostsFiles(edited, etc.path());
  for (const char* node : {"r2", "r3", "r4"}) {
    EXPECT_EQ(support::fileText(etc.path() + "/" + node + "/hosts"), services::hostsText(edited))
        << node;
  }
  EXPECT_NE(services::hostsText(edited), services::hostsText(topology));
  EXPECT_EQ(inodeOf(etc.path() + "/r3/hosts"), inodeOf(etc.path() + "/r2/hosts"));
  EXPECT_EQ(inodeOf(etc.path() + "/r4/hosts"), inodeOf(etc.path() + "/r2/hosts"));
}

TEST(ServiceStore, RecordsRoundTripAndGoWithRemoveAll) {
  const Scratch root;
  const services::ServiceStore store(root.path(), "lab");
  const services::ServiceRecord record{"r1.edge", "web", {123, 456, 789}, {122, 455, 789}, "abc"};
  ASSERT_TRUE(store.save(record));
  auto loaded = store.load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 1U);
  EXPECT_EQ((*loaded)[0].node, "r1.edge");  // a node name may hold a dot, a service name not
  EXPECT_EQ((*loaded)[0].name, "web");
  EXPECT_EQ((*loaded)[0].process, record.process);
  EXPECT_EQ((*loaded)[0].supervisor, record.supervisor);
  EXPECT_EQ((*loaded)[0].fingerprint, "abc");
  EXPECT_EQ(support::fileText(root.path() + "/lab/services/r1.edge.web.pid"),
            "123 456 789 122 455 abc\n");
  ASSERT_TRUE(store.saveExecStamp("r1.edge", "f 1\n"));
  EXPECT_EQ(store.execStamp("r1.edge"), "f 1\n");
  auto log = store.openLog("r1.edge.web", false);
  ASSERT_TRUE(log);
  const std::string text = "one\ntwo\nthree\n";
  ASSERT_EQ(::write(log->get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  EXPECT_EQ(store.logTail("r1.edge.web", 2), "two\nthree");
  EXPECT_EQ(store.logs(), std::vector<std::string>{"r1.edge.web"});
  ASSERT_TRUE(store.removeAll());
  EXPECT_FALSE(fs::exists(root.path() + "/lab/services"));
  EXPECT_FALSE(fs::exists(root.path() + "/lab/logs"));
}

TEST(ServiceDefinition, RoundTripsThroughTheStoreAndGoesWithErase) {
  const Scratch root;
  const services::ServiceStore store(root.path(), "lab");
  model::Service web;
  web.name = "web";
  web.command = {"python3", "-m", "http.server", "a b"};
  web.env = {{"MODE", "x y"}, {"EMPTY", ""}};
  web.cwd = "/srv";
  web.ready = model::Readiness{8080, {}, 2000, {}};
  model::Service probe = web;
  probe.ready = model::Readiness{std::nullopt, {"test", "-e", "/run/x"}, 5000, {}};
  for (const auto& service : {web, probe}) {
    ASSERT_TRUE(store.saveDefinition("r1", "web", services::definitionText(service)));
    const auto text = store.definition("r1", "web");
    ASSERT_TRUE(text);
    const auto back = services::parseDefinition("web", *text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->name, "web");
    EXPECT_EQ(back->command, service.command);
    EXPECT_EQ(back->env, service.env);
    EXPECT_EQ(back->cwd, service.cwd);
    ASSERT_TRUE(back->ready);
    EXPECT_EQ(back->ready->tcp_port, service.ready->tcp_port);
    EXPECT_EQ(back->ready->command, service.ready->command);
    EXPECT_EQ(back->ready->timeout_ms, service.ready->timeout_ms);
    EXPECT_EQ(services::fingerprintOf(*back), services::fingerprintOf(service));
  }
  ASSERT_TRUE(store.erase("r1", "web"));
  EXPECT_FALSE(store.definition("r1", "web"));
}

TEST(ServiceDefinition, RefusesWhatItDidNotWrite) {
  for (const char* text : {"", "[]", "{}", R"({"command": []})", R"({"command": "sleep"})",
                           R"({"command": ["x"], "env": {"A": 1}})",
                           R"({"command": ["x"], "ready": {"tcp": 1}})", "{not json"}) {
    EXPECT_FALSE(services::parseDefinition("s", text)) << text;
  }
  const auto minimal = services::parseDefinition("s", R"({"command": ["sleep", "1"]})");
  ASSERT_TRUE(minimal);
  EXPECT_FALSE(minimal->ready);
  EXPECT_EQ(minimal->cwd, "");
}

TEST(ServiceStore, RuntimeDirsGoAsTreesWithoutFollowingLinks) {
  const Scratch scratch;
  const Scratch outside;
  std::ofstream(outside.path() + "/keep") << "not the lab's";
  const services::ServiceStore store(scratch.path(), "lab");
  const auto r1 = store.makeRuntimeDir("r1");
  ASSERT_TRUE(r1.has_value()) << r1.error().message;
  EXPECT_EQ(*r1, scratch.path() + "/lab/runtime/r1");
  EXPECT_EQ(*r1, store.runtimePath("r1"));
  EXPECT_EQ(fs::status(*r1).permissions() & fs::perms::all, fs::perms::owner_all);
  ASSERT_TRUE(store.makeRuntimeDir("r2").has_value());
  // What a program may leave: nested directories, a socket-like file, a link out of the lab.
  fs::create_directories(*r1 + "/a/b/c");
  std::ofstream(*r1 + "/a/b/c/bird.ctl") << "x";
  fs::create_directory_symlink(outside.path(), *r1 + "/a/out");
  fs::create_directory_symlink(outside.path(), store.runtimePath("r2") + "/out");

  store.removeRuntimeDirsExcept({"r2"});
  EXPECT_FALSE(fs::exists(*r1));
  EXPECT_TRUE(fs::exists(store.runtimePath("r2")));
  ASSERT_TRUE(store.removeAll().has_value());
  EXPECT_FALSE(fs::exists(scratch.path() + "/lab/runtime"));
  EXPECT_EQ(support::fileText(outside.path() + "/keep"),
            "not the lab's");  // the links were not followed
}

TEST(ServiceFingerprint, ChangesWithWhatRunsOnly) {
  model::Service service;
  service.name = "web";
  service.command = {"python3", "-m", "http.server"};
  const auto first = services::fingerprintOf(service);
  EXPECT_EQ(services::fingerprintOf(service), first);
  service.after.emplace_back("db", SourceLoc{});
  EXPECT_EQ(services::fingerprintOf(service), first);
  service.env["A"] = "1";
  EXPECT_NE(services::fingerprintOf(service), first);
  model::Service split = service;
  split.command = {"python3 -m", "http.server"};
  EXPECT_NE(services::fingerprintOf(split), services::fingerprintOf(service));
}

TEST(ProcessIdentity, PidStartTimeAndNamespace) {
  const auto self = sys::readProcessIdentity(::getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_GT(self->start_time, 0U);
  EXPECT_GT(self->netns_inode, 0U);
  EXPECT_TRUE(sys::isRunning(*self));
  auto reused = *self;
  reused.start_time += 1;  // the same pid, another process
  EXPECT_FALSE(sys::isRunning(reused));
  // Not the recorded process: "gone", and no signal reaches this one (the test goes on).
  EXPECT_TRUE(sys::stopProcess(reused, std::chrono::milliseconds(10)));
  EXPECT_TRUE(sys::isRunning(*self));
}

}  // namespace
}  // namespace nstopo
