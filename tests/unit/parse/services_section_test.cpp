// SPDX-License-Identifier: Apache-2.0
// `exec:`, `services:` and `hosts:` (issue 15): what they read into, and one message per rule at
// its file:line:column.
#include <string>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using support::onlyProblemOf;

TEST(Services, ReadsExecServicesAndReadiness) {
  const auto loaded = parse::parseTopology(R"(name: lab
hosts: false
nodes:
  r1:
    exec:
      - [ip, link, set, lo, up]
      - [sh, -c, 'echo hi']
    services:
      - name: web
        command: [python3, -m, http.server, "8080"]
        env: {A: "1"}
        cwd: /tmp
        after: [db]
        ready: {tcp: 8080, timeout: 5}
      - name: db
        command: [sleep, infinity]
        ready: {command: [true]}
)",
                                           "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().message;
  ASSERT_TRUE(model::validate(loaded.topology).empty());
  EXPECT_FALSE(loaded.topology.hosts);
  const auto& node = loaded.topology.nodes.at("r1");
  ASSERT_EQ(node.exec.size(), 2U);
  EXPECT_EQ(node.exec[1].argv, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(node.exec[1].loc.line, 7);
  ASSERT_EQ(node.services.size(), 2U);
  const auto& web = node.services[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.command.back(), "8080");
  EXPECT_EQ(web.env.at("A"), "1");
  EXPECT_EQ(web.cwd, "/tmp");
  ASSERT_EQ(web.after.size(), 1U);
  EXPECT_EQ(web.after[0].first, "db");
  ASSERT_TRUE(web.ready.has_value());
  EXPECT_EQ(web.ready->tcp_port, 8080);
  EXPECT_EQ(web.ready->timeout_ms, 5000);
  EXPECT_EQ(node.services[1].ready->command, (std::vector<std::string>{"true"}));
}

TEST(Services, HostsDefaultsOn) {
  const auto loaded = parse::parseTopology("name: lab\nnodes: {r1: {}}\n", "lab.yaml");
  EXPECT_TRUE(loaded.topology.hosts);
}

TEST(Services, ExecCommandMustBeAList) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    exec: ['ip link']\n"),
            "lab.yaml:4:12: error: node 'r1' exec command: write the command as a list of "
            "arguments, such as [ip, link, show] (no shell splits it; use [sh, -c, '...'] for "
            "one)");
}

TEST(Services, EmptyExecCommand) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    exec: [[]]\n"),
            "lab.yaml:4:12: error: node 'r1' exec: a command needs at least a program name");
}

TEST(Services, ServiceNeedsCommand) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - name: a\n"),
            "lab.yaml:5:9: error: node 'r1' service 'a' has no 'command'");
}

TEST(Services, BadServiceName) {
  EXPECT_EQ(
      onlyProblemOf(
          "name: lab\nnodes:\n  r1:\n    services:\n      - {name: a.b, command: [true]}\n"),
      "lab.yaml:5:9: error: node 'r1' service 'a.b': a service name is 1 to 32 letters, digits, "
      "'-' or '_' (it names its log file)");
}

TEST(Services, DuplicateServiceName) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, command: "
                          "[true]}\n      - {name: a, command: [true]}\n"),
            "lab.yaml:6:9: error: node 'r1' service 'a': a second service of that name");
}

TEST(Services, AfterNamesAServiceOfTheSameNode) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, command: "
                          "[true], after: [b]}\n  r2:\n    services:\n      - {name: b, command: "
                          "[true]}\n"),
            "lab.yaml:5:44: error: node 'r1' service 'a': after names 'b', which is not a "
            "service of this node");
}

TEST(Services, AfterCycle) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, command: "
                          "[true], after: [b]}\n      - {name: b, command: [true], after: [a]}\n"),
            "lab.yaml:5:9: error: node 'r1': services wait for each other in a cycle: a -> b -> "
            "a");
}

TEST(Services, RelativeCwd) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, command: "
                          "[true], cwd: tmp}\n"),
            "lab.yaml:5:9: error: node 'r1' service 'a': cwd 'tmp' must be an absolute path");
}

TEST(Services, ReadinessNeedsACheck) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, command: "
                          "[true], ready: {timeout: 3}}\n"),
            "lab.yaml:5:43: error: node 'r1' service 'a': ready needs 'tcp' (a port) or "
            "'command'");
}

TEST(Services, NotInHost) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  host:\n    exec: [[true]]\n"),
            "lab.yaml:4:12: error: node 'host': exec and services run only in the lab's own "
            "nodes, not in the machine's namespace");
}

TEST(Services, UnknownServiceField) {
  EXPECT_NE(onlyProblemOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, command: "
                          "[true], restart: always}\n")
                .find("unknown"),
            std::string::npos);
}

TEST(Services, UntrustedFilesBringNoPrograms) {
  model::ValidateOptions options;
  options.untrusted = true;
  EXPECT_EQ(support::problemsOf("name: lab\nnodes:\n  r1:\n    services:\n      - {name: a, "
                                "command: [true]}\n",
                                options),
            (std::vector<std::string>{
                "lab.yaml:5:9: error: node 'r1' has services: they run as root on this machine's "
                "filesystem; --untrusted refuses them"}));
}

}  // namespace
}  // namespace nstopo
