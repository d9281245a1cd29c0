// SPDX-License-Identifier: Apache-2.0
// nstopo-floor: the true floor of the benchmark labs of bench/bench.py. It reaches nstopo's end
// state for a star or a chain with raw rtnetlink, many requests in flight per socket, namespaces
// made on several threads, and nothing read, planned or verified: what is left is what the
// kernel itself must do, the physical limit of nstopo's approach on this kernel.
//   nstopo-floor build --kind star|chain --n N [--verbose]   (--verbose: time of each phase)
//   nstopo-floor destroy --kind star|chain --n N [--no-wait]
//   nstopo-floor await-teardown [--timeout SECONDS] -- COMMAND...
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "addresses.h"
#include "lab.h"
#include "netns.h"
#include "rtnl.h"
#include "teardown.h"

extern char** environ;

namespace floor_bench {
namespace {

/// With --verbose, each phase's time goes to stderr (where the floor's own time goes).
bool verbose = false;
auto phase_start = std::chrono::steady_clock::now();

void phaseDone(const char* what) {
  const auto now = std::chrono::steady_clock::now();
  if (verbose) {
    std::fprintf(stderr, "%-28s %.3f s\n", what,
                 std::chrono::duration<double>(now - phase_start).count());
  }
  phase_start = now;
}

// Devices get the indices asked for, so later requests name them without reading anything.
// In a namespace: lo is 1, a star node's eth0 and a chain node's right 2, its left 3.
constexpr int kBridgeIndex = 1'000'000;  // + bridge number, in the root namespace
constexpr int kPortIndex = 1'100'000;    // + node number, the root ends of the star's veths
constexpr int kNodeFirstLink = 2;
constexpr int kChainLeft = 3;

/// What nstopo sets in each namespace it creates, before anything else (its netlink driver),
/// with the file's own `extra` after them.
void nstopoNamespaceSysctls(const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  const UniqueFd& proc_sys = nstopo::sys::ownProcSysForNextNamespace();
  writeSysctl(proc_sys, "net.ipv6.conf.default.accept_dad", "0");
  writeSysctl(proc_sys, "net.ipv6.conf.all.accept_dad", "0");
  for (const char* key : {"net.ipv4.conf.default.arp_notify", "net.ipv4.conf.all.arp_notify",
                          "net.ipv6.conf.default.ndisc_notify", "net.ipv6.conf.all.ndisc_notify"}) {
    writeSysctl(proc_sys, key, "1");
  }
  for (const auto& [key, value] : extra) {
    writeSysctl(proc_sys, key, value);
  }
}

void buildStar(const Lab& lab) {
  auto root = Rtnl::open();
  for (int k = 0; k < lab.bridgeCount(); ++k) {
    root.send(newBridge(kBridgeIndex + k, lab.bridge(k)), "bridge " + lab.bridge(k));
    root.send(setLinkUp(kBridgeIndex + k, lab.mark()), "marking " + lab.bridge(k));
  }
  root.flush();  // the kernel has made the bridges before the ports name them
  phaseDone("bridges");
  const auto nodes = lab.nodes();
  auto spaces = createNamespaces(nodes, [&](std::size_t, Rtnl& rtnl) {
    nstopoNamespaceSysctls();
    rtnl.send(setLinkUp(1, lab.mark()), "lo");
    rtnl.flush();
  });
  phaseDone("namespaces");
  for (int i = 1; i <= lab.n; ++i) {
    const std::string port = "p" + std::to_string(i);
    // The bridge port carries no address: like nstopo, no IPv6 link-local address on it, set
    // before it comes up (no duplicate address probe, router solicitations or MLD reports).
    VethEnd root_end{port, kPortIndex + i, -1, kBridgeIndex + lab.bridgeOf(i), false};
    VethEnd node_end{"eth0", kNodeFirstLink, spaces[static_cast<std::size_t>(i - 1)].fd.get(), 0,
                     false};
    root.send(newVeth(root_end, node_end), "veth " + port);
    root.send(linkLocalOff(kPortIndex + i), "no link-local address on " + port);
  }
  // Like nstopo, IPv6 off on each port before it comes up (only a sysctl does it): no multicast
  // route per port in the root namespace's table.
  root.flush();
  const UniqueFd& proc_sys = nstopo::sys::ownProcSysForNextNamespace();
  for (int i = 1; i <= lab.n; ++i) {
    writeSysctl(proc_sys, "net.ipv6.conf.p" + std::to_string(i) + ".disable_ipv6", "1");
  }
  for (int i = 1; i <= lab.n; ++i) {
    root.send(setLinkUp(kPortIndex + i, lab.vethMark(lab.node(i), "eth0")),
              "marking p" + std::to_string(i));
  }
  root.finish();
  phaseDone("veths");
  forEachOnWorkers(nodes.size(), [&](std::size_t i) {
    withSocketInside(spaces[i], [&](Rtnl& rtnl) {
      rtnl.send(newAddress(kNodeFirstLink, starAddress(static_cast<int>(i) + 1)), "address");
      const std::string port = "p" + std::to_string(i + 1);
      rtnl.send(setLinkUp(kNodeFirstLink, lab.vethMark("host", port)), "eth0 up");
      rtnl.finish();
    });
  });
  phaseDone("addresses, links up");
}

void buildChain(const Lab& lab) {
  const auto nodes = lab.nodes();
  auto spaces = createNamespaces(nodes, [&](std::size_t, Rtnl& rtnl) {
    nstopoNamespaceSysctls({{"net.ipv4.ip_forward", "1"}});
    rtnl.send(setLinkUp(1, lab.mark()), "lo");
    rtnl.flush();
  });
  phaseDone("namespaces");
  auto root = Rtnl::open();
  for (int i = 1; i < lab.n; ++i) {
    const auto at = static_cast<std::size_t>(i);
    VethEnd right{"right", kNodeFirstLink, spaces[at - 1].fd.get(), 0, true};
    VethEnd left{"left", kChainLeft, spaces[at].fd.get(), 0, false};
    root.send(newVeth(right, left), "veth " + std::to_string(i));
  }
  root.finish();
  phaseDone("veths");
  // nstopo marks its routes with a protocol number of its own (state::kRouteProtocol).
  constexpr std::uint8_t kNstopoRoutes = 152;
  forEachOnWorkers(nodes.size(), [&](std::size_t index) {
    const int i = static_cast<int>(index) + 1;
    withSocketInside(spaces[index], [&](Rtnl& rtnl) {
      if (i > 1) {
        rtnl.send(newAddress(kChainLeft, linkAddress(i - 1, 2)), "left address");
        rtnl.send(setLinkUp(kChainLeft, lab.vethMark(lab.node(i - 1), "right")), "left up");
        rtnl.send(newRoute("10.128.0.0/9", linkAddress(i - 1, 1, false), kNstopoRoutes),
                  "route left");
      }
      if (i < lab.n) {
        rtnl.send(newAddress(kNodeFirstLink, linkAddress(i, 1)), "right address");
        rtnl.send(setLinkUp(kNodeFirstLink, lab.vethMark(lab.node(i + 1), "left")), "right mark");
        rtnl.send(newRoute("10.64.0.0/10", linkAddress(i, 2, false), kNstopoRoutes), "route right");
      }
      rtnl.finish();
    });
  });
  phaseDone("addresses, links up, routes");
}

int runCommand(const std::vector<char*>& argv) {
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "nstopo-floor: cannot run %s\n", argv[0]);
    return 127;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return 127;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int usage() {
  std::fprintf(stderr,
               "usage: nstopo-floor build --kind star|chain --n N [--verbose]\n"
               "       nstopo-floor destroy --kind star|chain --n N [--no-wait]\n"
               "       nstopo-floor await-teardown [--timeout SECONDS] -- COMMAND...\n");
  return 2;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    return usage();
  }
  const std::string command = argv[1];
  Lab lab;
  bool wait = true;
  int timeout = 300;
  std::vector<char*> child;
  for (int a = 2; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--") {
      child.assign(argv + a + 1, argv + argc);
      break;
    }
    if (arg == "--no-wait") {
      wait = false;
    } else if (arg == "--verbose") {
      verbose = true;
    } else if (arg == "--kind" && a + 1 < argc) {
      const std::string kind = argv[++a];
      if (kind != "star" && kind != "chain") {
        return usage();
      }
      lab.kind = kind == "star" ? Lab::Kind::kStar : Lab::Kind::kChain;
    } else if (arg == "--n" && a + 1 < argc) {
      lab.n = std::stoi(argv[++a]);
    } else if (arg == "--timeout" && a + 1 < argc) {
      timeout = std::stoi(argv[++a]);
    } else {
      return usage();
    }
  }
  if (command == "await-teardown") {
    if (child.empty()) {
      return usage();
    }
    child.push_back(nullptr);
    return awaitTeardown([&] { return runCommand(child); }, timeout);
  }
  if (lab.n < 1) {
    return usage();
  }
  if (command == "build") {
    lab.kind == Lab::Kind::kStar ? buildStar(lab) : buildChain(lab);
    return 0;
  }
  if (command == "destroy") {
    if (!wait) {
      destroyLab(lab);
      return 0;
    }
    return awaitTeardown(
        [&] {
          destroyLab(lab);
          return 0;
        },
        timeout);
  }
  return usage();
}

}  // namespace
}  // namespace floor_bench

int main(int argc, char** argv) {
  try {
    return floor_bench::run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "nstopo-floor: %s\n", error.what());
    return 1;
  }
}
