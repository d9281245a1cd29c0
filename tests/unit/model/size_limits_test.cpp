// SPDX-License-Identifier: Apache-2.0
// Size caps of a topology file (issue 22, finding 3): each default cap holds at the cap and
// refuses cap + 1 in one located line naming the count and the flag; the flag's value raises it.
// Probes are counted before any is built, so an all_pairs file over the cap costs nothing.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "nstopo/app/verify.h"
#include "nstopo/core/cidr.h"
#include "nstopo/model/limits.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/under_asan.h"

namespace nstopo {
namespace {

SourceLoc at(int line) {
  return SourceLoc{"lab.yaml", line, 3};
}

std::string nodeName(std::size_t i) {
  return fmt::format("n{}", i);
}

IpAddress addressNumber(std::size_t i) {
  // 10.0.0.0/8 has room for every test here; one /32 per address.
  return *parseCidr(fmt::format("10.{}.{}.{}/32", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff));
}

/// `count` nodes, each on its own line.
model::Topology withNodes(std::size_t count) {
  model::Topology topology;
  topology.file = "lab.yaml";
  topology.name = "lab";
  for (std::size_t i = 0; i < count; ++i) {
    model::Node node;
    node.name = nodeName(i);
    node.loc = at(static_cast<int>(i) + 3);
    topology.nodes.emplace(node.name, std::move(node));
  }
  return topology;
}

std::string only(const Diagnostics& problems) {
  EXPECT_EQ(problems.size(), 1U);
  return problems.empty() ? "" : formatError(problems.front());
}

constexpr model::Limits kDefaults{};

TEST(SizeLimits, DefaultsAreTheDocumentedOnes) {
  EXPECT_EQ(kDefaults.namespaces, 20'000U);
  EXPECT_EQ(kDefaults.links, 50'000U);
  EXPECT_EQ(kDefaults.addresses, 100'000U);
  EXPECT_EQ(kDefaults.routes, 100'000U);
  EXPECT_EQ(kDefaults.probes, 1'000'000U);
}

TEST(SizeLimits, Namespaces) {
  auto topology = withNodes(kDefaults.namespaces);
  EXPECT_TRUE(model::sizeProblems(topology, kDefaults).empty());
  // host is the namespace nstopo runs in: it costs nothing and does not count.
  model::Node host;
  host.name = model::kHostNode;
  topology.nodes.emplace(host.name, host);
  EXPECT_TRUE(model::sizeProblems(topology, kDefaults).empty());

  auto over = withNodes(kDefaults.namespaces + 1);
  // The first node over the cap in file order is the place.
  EXPECT_EQ(only(model::validate(over)),
            "lab.yaml:20003:3: error: the file asks for 20001 namespaces, more than the limit of "
            "20000 (each costs the kernel about 200 KB); raise it with --max-namespaces if this "
            "lab really needs them");
  model::ValidateOptions raised;
  raised.limits.namespaces = kDefaults.namespaces + 1;
  EXPECT_TRUE(model::sizeProblems(over, raised.limits).empty());
  EXPECT_TRUE(model::validate(over, raised).empty());
}

/// A cap of `kDefaults`, `cap` in Limits: `make(cap)` is within it, `make(cap + 1)` is refused
/// with exactly `message`, and within it again once the cap is raised by one.
void expectCap(std::size_t model::Limits::*cap,
               const std::function<model::Topology(std::size_t)>& make,
               const std::string& message) {
  const std::size_t limit = kDefaults.*cap;
  EXPECT_TRUE(model::sizeProblems(make(limit), kDefaults).empty());
  auto over = make(limit + 1);
  EXPECT_EQ(only(model::validate(over)), message);
  model::Limits raised;
  raised.*cap = limit + 1;
  EXPECT_TRUE(model::sizeProblems(over, raised).empty());
}

model::Topology withLinks(std::size_t count) {
  auto topology = withNodes(2);
  topology.links.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    topology.links[i].loc = at(static_cast<int>(i) + 10);
  }
  return topology;
}

TEST(SizeLimits, Links) {
  expectCap(&model::Limits::links, withLinks,
            "lab.yaml:50010:3: error: the file asks for 50001 links, more than the limit of 50000; "
            "raise it with --max-links if this lab really needs them");
}

/// `count` addresses: half on node interfaces, half on bridges, as both count.
model::Topology withAddresses(std::size_t count) {
  auto topology = withNodes(1);
  auto& settings = topology.nodes.begin()->second.interfaces["e"];
  model::Bridge bridge;
  bridge.name = "br0";
  for (std::size_t i = 0; i < count; ++i) {
    auto& list = i % 2 == 0 ? settings.addresses : bridge.settings.addresses;
    list.push_back(model::Address{addressNumber(i), at(static_cast<int>(i) + 10)});
  }
  topology.bridges.emplace(bridge.name, std::move(bridge));
  return topology;
}

TEST(SizeLimits, Addresses) {
  expectCap(&model::Limits::addresses, withAddresses,
            "lab.yaml:100010:3: error: the file asks for 100001 addresses, more than the limit of "
            "100000; raise it with --max-addresses if this lab really needs them");
}

/// `count` routes, spread over two nodes.
model::Topology withRoutes(std::size_t count) {
  auto topology = withNodes(2);
  for (std::size_t i = 0; i < count; ++i) {
    model::Route route;
    route.to = addressNumber(i);
    route.family = route.to.family;
    route.dev = "e";
    route.loc = at(static_cast<int>(i) + 10);
    topology.nodes.at(nodeName(i % 2)).routes.push_back(route);
  }
  return topology;
}

TEST(SizeLimits, Routes) {
  expectCap(&model::Limits::routes, withRoutes,
            "lab.yaml:100010:3: error: the file asks for 100001 routes, more than the limit of "
            "100000; raise it with --max-routes if this lab really needs them");
}

/// `nodes` nodes with one address each and all_pairs, plus `expectations` expectations.
model::Topology withProbes(std::size_t nodes, std::size_t expectations) {
  auto topology = withNodes(nodes);
  std::size_t i = 0;
  for (auto& [name, node] : topology.nodes) {
    node.interfaces["e"].addresses.push_back(model::Address{addressNumber(i++), node.loc});
  }
  topology.verify.all_pairs = nodes > 0;
  topology.verify.loc = at(2);
  for (std::size_t e = 0; e < expectations; ++e) {
    topology.verify.expectations.push_back(
        model::Expectation{"n0", "n1", true, model::Expectation::Protocol::kIcmp, std::nullopt,
                           at(static_cast<int>(e) + 5)});
  }
  return topology;
}

TEST(SizeLimits, ProbesAreCountedFromExpectationsAndAllPairs) {
  // 1000 nodes probing each other's one address: 999 000, and 1000 expectations.
  const auto at_cap = withProbes(1000, 1000);
  EXPECT_EQ(model::countProbes(at_cap), 1'000'000U);
  EXPECT_TRUE(model::sizeProblems(at_cap, kDefaults).empty());
  auto over = withProbes(1000, 1001);
  EXPECT_EQ(only(model::sizeProblems(over, kDefaults)),
            "lab.yaml:2:3: error: the file asks for 1000001 verify probes, more than the limit of "
            "1000000 (all_pairs probes every address from every node); raise it with --max-probes "
            "if this lab really needs them");
  model::Limits raised;
  raised.probes = 1'000'001;
  EXPECT_TRUE(model::sizeProblems(over, raised).empty());
  // Without all_pairs the place is the first expectation over the cap.
  model::Limits ten;
  ten.probes = 10;
  EXPECT_EQ(only(model::sizeProblems(withProbes(0, 11), ten)),
            "lab.yaml:15:3: error: the file asks for 11 verify probes, more than the limit of 10; "
            "raise it with --max-probes if this lab really needs them");
}

TEST(SizeLimits, TheProbeCountIsTheNumberVerifyBuilds) {
  // Nodes with several addresses, a bridge in a node and one in host, host as a node, and
  // expectations that do not repeat an all-pairs probe: the count is exact.
  auto topology = withProbes(5, 0);
  topology.nodes.at("n2").interfaces["f"].addresses.push_back(
      model::Address{addressNumber(100), at(1)});
  model::Bridge in_node;
  in_node.name = "br0";
  in_node.node = "n3";
  in_node.settings.addresses.push_back(model::Address{addressNumber(101), at(1)});
  model::Bridge in_host;
  in_host.name = "br1";
  in_host.settings.addresses.push_back(model::Address{addressNumber(102), at(1)});
  topology.bridges.emplace(in_node.name, in_node);
  topology.bridges.emplace(in_host.name, in_host);
  EXPECT_EQ(model::countProbes(topology), app::probesFor(topology).size());
  topology.nodes.emplace(model::kHostNode,
                         model::Node{model::kHostNode, {}, {}, {}, {}, {}, {}, {}, at(1)});
  topology.verify.expectations.push_back(
      model::Expectation{"n0", "10.0.0.1", true, model::Expectation::Protocol::kTcp, 80, at(1)});
  EXPECT_EQ(model::countProbes(topology), app::probesFor(topology).size());
  topology.verify.all_pairs = false;
  EXPECT_EQ(model::countProbes(topology), app::probesFor(topology).size());
}

/// Runs `work` in a child under a memory and CPU limit; its output, or why it did not finish.
std::string runBounded(const std::function<std::string()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) {
    return "pipe failed";
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    const rlimit cpu{10, 11};
    ::setrlimit(RLIMIT_CPU, &cpu);
#ifndef NSTOPO_UNDER_ASAN  // AddressSanitizer reserves terabytes of address space up front
    constexpr rlim_t kMemoryBytes = 512ULL << 20;
    const rlimit memory{kMemoryBytes, kMemoryBytes};
    ::setrlimit(RLIMIT_AS, &memory);
#endif
    ::alarm(30);
    const std::string out = work();
    const auto written = ::write(fds[1], out.data(), out.size());
    ::_exit(written == static_cast<ssize_t>(out.size()) ? 0 : 2);
  }
  ::close(fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n = 0; (n = ::read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (child > 0 && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (child < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fmt::format("child did not finish (status {:#x}): {}", status, out);
  }
  return out;
}

TEST(SizeLimits, AnAllPairsFileOverTheProbeCapIsRefusedQuicklyWithMemoryBounded) {
  // 2500 nodes with one address each (on the loopback) and all_pairs: a valid 100 KB file that
  // asks for 6 247 500 probes. verify built them all before running any: without the cap this
  // child runs out of its CPU limit building them.
  std::string text = "name: lab\nnodes:\n";
  for (int i = 0; i < 2500; ++i) {
    text += fmt::format("  n{}: {{interfaces: {{lo: {{addresses: [10.{}.{}.1/32]}}}}}}\n", i,
                        i / 256, i % 256);
  }
  text += "verify: {all_pairs: true}\n";
  char path[] = "/tmp/nstopo-probes.XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  // What `nstopo verify` does: load and validate, then build the probes.
  const auto out = runBounded([&] {
    const auto loaded = parse::loadTopologyFile(path);
    if (!loaded.problems.empty()) {
      return formatError(loaded.problems.front());
    }
    return fmt::format("accepted: {} probes built", app::probesFor(loaded.topology).size());
  });
  ::unlink(path);
  EXPECT_EQ(out, fmt::format("{}:{}:1: error: the file asks for 6247500 verify probes, more than "
                             "the limit of 1000000 (all_pairs probes every address from every "
                             "node); raise it with --max-probes if this lab really needs them",
                             path, 2503));
  // No wall-clock bound: the child's CPU limit is the guard (a busy machine stretches wall time).
}

}  // namespace
}  // namespace nstopo
