// SPDX-License-Identifier: Apache-2.0
// The hostile-input table (tests/hostile): every malformed topology is refused, its first problem
// is exactly the line recorded in expected.tsv, and every problem is one line at a known
// file:line:column. Each input is parsed in a child process under CPU, wall-clock and memory
// limits, so an input that hangs or eats memory fails its own test instead of taking the test
// run, or the machine, down with it.
//
// Inputs that are a file in tests/hostile/pending/ have a known defect in their message and a
// DISABLED_ reproducer (tests/hostile/pending/README.md); there are none today.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/file_text.h"
#include "support/under_asan.h"

namespace nstopo {
namespace {

namespace fs = std::filesystem;

constexpr int kCpuSeconds = 5;             // the hang guard: generous, not a performance bound
constexpr unsigned kWallSeconds = 20;      // for a child that sleeps instead of spinning
constexpr std::size_t kKeptProblems = 64;  // what the child sends back; the count is exact

const fs::path kHostileDir = fs::path(NSTOPO_SOURCE_DIR) / "tests" / "hostile";

struct Outcome {
  bool finished = false;  ///< the child returned; false: killed (signal) or failed
  int signal = 0;
  double seconds = 0;
  std::size_t count = 0;           ///< how many problems
  std::vector<std::string> lines;  ///< the first kKeptProblems, formatted as the CLI prints them
  std::vector<bool> located;       ///< each has a known line and column

  [[nodiscard]] std::string describe() const {
    if (finished) {
      return std::to_string(count) + " problem(s) in " + std::to_string(seconds) + " s";
    }
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ") after " +
           std::to_string(seconds) + " s: a crash, or over the " + std::to_string(kCpuSeconds) +
           " s CPU / 2 GiB guard";
  }
};

void appendField(std::string& out, const std::string& field) {
  const auto size = static_cast<std::uint64_t>(field.size());
  out.append(reinterpret_cast<const char*>(&size), sizeof size);
  out += field;
}

bool takeField(const std::string& in, std::size_t& at, std::string& field) {
  std::uint64_t size = 0;
  if (in.size() - at < sizeof size) {
    return false;
  }
  std::memcpy(&size, in.data() + at, sizeof size);
  at += sizeof size;
  if (in.size() - at < size) {
    return false;
  }
  field = in.substr(at, static_cast<std::size_t>(size));
  at += static_cast<std::size_t>(size);
  return true;
}

/// Runs `work` in a child process under the guards and brings back what it found.
Outcome runGuarded(const std::function<Diagnostics()>& work) {
  Outcome outcome;
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return outcome;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return outcome;
  }
  if (child == 0) {
    close(fds[0]);
    const rlimit cpu{kCpuSeconds, kCpuSeconds + 1};
    setrlimit(RLIMIT_CPU, &cpu);
#ifndef NSTOPO_UNDER_ASAN  // AddressSanitizer reserves terabytes of address space up front
    constexpr rlim_t kMemoryBytes = 2ULL << 30;
    const rlimit memory{kMemoryBytes, kMemoryBytes};
    setrlimit(RLIMIT_AS, &memory);
#endif
    alarm(kWallSeconds);
    const Diagnostics problems = work();
    std::string out;
    appendField(out, std::to_string(problems.size()));
    for (std::size_t i = 0; i < problems.size() && i < kKeptProblems; ++i) {
      appendField(out, problems[i].where.known() ? "1" : "0");
      appendField(out, formatError(problems[i]));
    }
    std::size_t written = 0;
    while (written < out.size()) {
      const ssize_t n = write(fds[1], out.data() + written, out.size() - written);
      if (n <= 0) {
        _exit(2);
      }
      written += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string in;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      in.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
    return outcome;
  }
  std::size_t at = 0;
  std::string field;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !takeField(in, at, field)) {
    return outcome;
  }
  outcome.count = std::stoul(field);
  std::string line;
  while (takeField(in, at, field) && takeField(in, at, line)) {
    outcome.located.push_back(field == "1");
    outcome.lines.push_back(line);
  }
  outcome.finished = true;
  return outcome;
}

/// Parse, then validate when parsing found nothing: what `nstopo validate` does.
Outcome parseGuarded(const std::string& text, const std::string& file) {
  return runGuarded([&] {
    auto loaded = parse::parseTopology(text, file);
    if (loaded.problems.empty()) {
      loaded.problems = model::validate(loaded.topology);
    }
    return loaded.problems;
  });
}

bool isOneLine(const std::string& line) {
  return std::none_of(line.begin(), line.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

/// Refused, nothing killed, within the guard, and every problem one line at a known place.
void expectRefusedAndLocated(const Outcome& outcome, const std::string& what) {
  ASSERT_TRUE(outcome.finished) << what << ": " << outcome.describe();
  ASSERT_GE(outcome.count, 1U) << what << " was accepted";
  // No wall-clock bound here: the child's CPU limit (kCpuSeconds) is the hang guard, and a run
  // beside a busy build took 5.25 s of wall time for 8000 unknown endpoints within it.
  for (std::size_t i = 0; i < outcome.lines.size(); ++i) {
    EXPECT_TRUE(outcome.located[i]) << what << ": no file:line:column: " << outcome.lines[i];
    EXPECT_TRUE(isOneLine(outcome.lines[i]))
        << what << ": a problem that is not one printable line: "
        << ::testing::PrintToString(outcome.lines[i]);
  }
}

std::string testName(std::string name) {
  name = name.substr(0, name.find('.'));
  for (auto& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      c = '_';
    }
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// The table: tests/hostile/*.yaml with tests/hostile/expected.tsv

struct HostileCase {
  std::string file;
  std::string expected;  ///< the first problem, with the file name written as FILE
};

std::vector<HostileCase> loadTable() {
  std::vector<HostileCase> cases;
  std::ifstream in(kHostileDir / "expected.tsv");
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) {
      cases.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  return cases;
}

class HostileInput : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInput, FirstProblemIsExactAndEveryProblemIsOneLocatedLine) {
  const auto& c = GetParam();
  const auto path = kHostileDir / c.file;
  ASSERT_TRUE(fs::is_regular_file(path)) << path;
  const auto outcome = parseGuarded(support::fileText(path.string()), "FILE");
  expectRefusedAndLocated(outcome, c.file);
  ASSERT_FALSE(outcome.lines.empty());
  EXPECT_EQ(outcome.lines.front(), c.expected);
}

std::string tableCaseName(const ::testing::TestParamInfo<HostileCase>& param) {
  return testName(param.param.file);
}

INSTANTIATE_TEST_SUITE_P(Table, HostileInput, ::testing::ValuesIn(loadTable()), tableCaseName);

TEST(HostileInputTable, HasAtLeastAHundredCasesAndARowForEveryFile) {
  const auto table = loadTable();
  EXPECT_GE(table.size(), 100U);
  std::set<std::string> rows;
  for (const auto& c : table) {
    EXPECT_TRUE(rows.insert(c.file).second) << "two rows for " << c.file;
    EXPECT_EQ(c.expected.rfind("FILE:", 0), 0U) << c.file << ": " << c.expected;
  }
  for (const auto& entry : fs::directory_iterator(kHostileDir)) {
    if (entry.path().extension() == ".yaml") {
      EXPECT_EQ(rows.count(entry.path().filename().string()), 1U)
          << entry.path() << " has no row in expected.tsv (tests/hostile/record.sh)";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pending: refused today, but the message is not right yet (tests/hostile/pending/README.md).

std::vector<std::string> pendingFiles() {
  std::vector<std::string> files;
  const auto dir = kHostileDir / "pending";
  if (fs::is_directory(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") {
        files.push_back(entry.path().filename().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

class PendingHostileInput : public ::testing::TestWithParam<std::string> {};

// What holds already: no crash, no hang, refused.
TEST_P(PendingHostileInput, IsRefusedWithoutCrashOrHang) {
  const auto outcome =
      parseGuarded(support::fileText((kHostileDir / "pending" / GetParam()).string()), "FILE");
  ASSERT_TRUE(outcome.finished) << GetParam() << ": " << outcome.describe();
  EXPECT_GE(outcome.count, 1U) << GetParam() << " was accepted";
}

// The reproducer: shows the first problem and fails while it is not one located line. Once it
// is, and reads clearly, move the file into the table (generate.py, record.sh).
TEST_P(PendingHostileInput, DISABLED_ShowFirstProblem) {
  const auto outcome =
      parseGuarded(support::fileText((kHostileDir / "pending" / GetParam()).string()), "FILE");
  std::cout << "      first problem: "
            << ::testing::PrintToString(outcome.lines.empty() ? "" : outcome.lines[0]) << "\n";
  expectRefusedAndLocated(outcome, GetParam());
}

std::string pendingCaseName(const ::testing::TestParamInfo<std::string>& param) {
  return testName(param.param);
}

INSTANTIATE_TEST_SUITE_P(Pending, PendingHostileInput, ::testing::ValuesIn(pendingFiles()),
                         pendingCaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PendingHostileInput);

// ---------------------------------------------------------------------------------------------
// Inputs too big to keep on disk

TEST(HostileInputGenerated, HugeFileIsRefusedQuicklyWithOneMessage) {
  const std::string huge = "name: lab\n" + std::string(5 * 1024 * 1024, '#') + "\n";
  const auto outcome = parseGuarded(huge, "huge.yaml");
  expectRefusedAndLocated(outcome, "a 5 MiB file");
  EXPECT_EQ(outcome.count, 1U);
  ASSERT_FALSE(outcome.lines.empty());
  EXPECT_EQ(outcome.lines[0],
            "huge.yaml:1:1: error: the file is more than 4194304 bytes; a topology may be at most "
            "that");
}

std::string nested(int depth, const std::string& open, const std::string& middle,
                   const std::string& close) {
  std::string text = "name: lab\nnodes: ";
  for (int i = 0; i < depth; ++i) {
    text += open;
  }
  text += middle;
  for (int i = 0; i < depth; ++i) {
    text += close;
  }
  return text + "\n";
}

TEST(HostileInputGenerated, TenThousandLevelsOfNestingAreRefusedWithoutStackOverflow) {
  const std::vector<std::string> inputs = {
      nested(10000, "[", "", "]"), nested(10000, "{a: ", "{}", "}"),
      "name: lab\nnodes:\n  " + nested(10000, "- ", "x", "").substr(17),
      nested(10000, "[", "", ""),  // never closed
      nested(10000, "{a: [", "", "]}")};
  for (const auto& text : inputs) {
    const auto outcome = parseGuarded(text, "deep.yaml");
    expectRefusedAndLocated(outcome, "nesting " + text.substr(17, 12));
    ASSERT_FALSE(outcome.lines.empty());
    EXPECT_NE(outcome.lines[0].find("too deep"), std::string::npos) << outcome.lines[0];
  }
}

TEST(HostileInputGenerated, ALoneCommaIsRefusedQuickly) {
  // yaml-cpp 0.7's LoadAll allocates forever on it (upstream jbeder/yaml-cpp#1040).
  for (const char* text : {",", "\n,\n", "name: lab\n,\n"}) {
    expectRefusedAndLocated(parseGuarded(text, "comma.yaml"),
                            ::testing::PrintToString(std::string(text)));
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs that are not a file in the table (too big, unsafe, or accepted): each was once a defect
// of the parser or validator, bounded now.

/// A billion-laughs in the shape of the format: every alias is expanded by the parser and the
/// validator, nodes x interfaces x addresses. 300 makes a 12 KB file of 27 million addresses.
std::string aliasBomb(int n) {
  std::string text = "name: bomb\nnodes:\n  n0: &N\n    interfaces:\n      e0: &I {addresses: &A [";
  for (int i = 0; i < n; ++i) {
    text += i == 0 ? "10.0.0.1/24" : ", 10.0.0.1/24";
  }
  text += "]}\n";
  for (int i = 1; i < n; ++i) {
    text += "      e" + std::to_string(i) + ": *I\n";
  }
  for (int i = 1; i < n; ++i) {
    text += "  n" + std::to_string(i) + ": *N\n";
  }
  return text;
}

TEST(HostileInputLimits, AliasBombThroughNodesInterfacesAndAddressesIsBounded) {
  const auto text = aliasBomb(300);
  ASSERT_LT(text.size(), 16U * 1024);
  expectRefusedAndLocated(parseGuarded(text, "bomb.yaml"), "a 12 KB alias bomb");
}

TEST(HostileInputLimits, ManyUnknownEndpointsAreNotQuadratic) {
  // "did you mean" compares an unknown endpoint with every node: for 8000 of each (0.6 MB) that
  // took about 10 s before hints were given to the first problems only.
  std::string text = "name: quad\nnodes:\n";
  for (int i = 0; i < 8000; ++i) {
    text += "  node" + std::to_string(100000 + i) + ": {}\n";
  }
  text += "links:\n";
  for (int i = 0; i < 8000; ++i) {
    text += "  - {kind: veth, endpoints: ['nodx" + std::to_string(100000 + i) + ":e', 'node" +
            std::to_string(100000 + i) + ":f']}\n";
  }
  expectRefusedAndLocated(parseGuarded(text, "quad.yaml"), "8000 unknown endpoints");
}

TEST(HostileInputLimits, DeepNestingUpToTheSizeCapIsQuick) {
  // 4 million '[' (under the 4 MiB cap): yaml-cpp scanned them all before its depth guard fired,
  // about 6 s and 1 GB, so flow nesting is measured before yaml-cpp sees the text.
  const auto outcome = parseGuarded(std::string(4000000, '['), "deep.yaml");
  expectRefusedAndLocated(outcome, "4 million '['");
}

TEST(HostileInputLimits, UnreadableOrEndlessFilesAreRefusedWithoutReadingThemWhole) {
  // /dev/zero never ends: it is refused as a device before a byte is read (a regular file is
  // read up to the size cap plus one byte). The message names the file, which is the place.
  const auto zero = runGuarded([] { return parse::loadTopologyFile("/dev/zero").problems; });
  ASSERT_TRUE(zero.finished) << zero.describe();
  ASSERT_EQ(zero.lines.size(), 1U);
  EXPECT_NE(zero.lines[0].find("'/dev/zero' is a character device"), std::string::npos)
      << zero.lines[0];
  // A directory is named as one (it once read as "the file is empty").
  const auto outcome =
      runGuarded([] { return parse::loadTopologyFile(NSTOPO_SOURCE_DIR).problems; });
  ASSERT_TRUE(outcome.finished);
  ASSERT_FALSE(outcome.lines.empty());
  EXPECT_NE(outcome.lines[0].find("directory"), std::string::npos) << outcome.lines[0];
}

TEST(HostileInputLimits, OneDocumentWithDirectiveOrEndMarkerIsOneDocument) {
  // Valid single documents the one-document check once refused as "more than one document".
  for (const char* text :
       {"%YAML 1.2\n---\nname: lab\nnodes: {ns1: {}}\n", "name: lab\nnodes: {ns1: {}}\n...\n"}) {
    const auto outcome = parseGuarded(text, "lab.yaml");
    ASSERT_TRUE(outcome.finished);
    EXPECT_EQ(outcome.count, 0U) << ::testing::PrintToString(std::string(text)) << ": "
                                 << ::testing::PrintToString(outcome.lines);
  }
}

/// Files the kernel refuses at apply (which then rolls back): the validator says so first.
TEST(HostileInputLimits, WhatTheKernelRefusesIsRefusedByTheValidator) {
  const std::string pair =
      "name: lab\nnodes:\n  a: {interfaces: {'IFNAME': SETTINGS}, routes: ROUTES}\n  b: {}\n"
      "links:\n  - {kind: veth, endpoints: ['a:IFNAME', 'b:e']}\n";
  auto lab = [&](const std::string& settings, const std::string& routes,
                 const std::string& ifname = "e") {
    std::string text = pair;
    text.replace(text.find("SETTINGS"), 8, settings);
    text.replace(text.find("ROUTES"), 6, routes);
    text.replace(text.find("IFNAME"), 6, ifname);
    text.replace(text.find("IFNAME"), 6, ifname);
    return text;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      // EADDRNOTAVAIL at apply
      {"an all-zero MAC", lab("{mac: '00:00:00:00:00:00'}", "[]")},
      // EEXIST at apply: both are the IPv4 default route
      {"default and 0.0.0.0/0",
       lab("{addresses: [10.0.0.1/24]}",
           "[{to: default, via: 10.0.0.9}, {to: 0.0.0.0/0, via: 10.0.0.8}]")},
      // "building an address request: Missing attribute" at apply
      {"the unspecified IPv4 address", lab("{addresses: [0.0.0.0/0]}", "[]")},
      {"the unspecified IPv6 address", lab("{addresses: ['::/0']}", "[]")},
      // silently applied as an IPv6 route
      {"family ipv4 with an IPv6 gateway",
       lab("{}", "[{to: default, via: 'fe80::1', family: ipv4, dev: e}]")},
      // EINVAL at apply: the kernel's isspace() takes byte 0xa0 (of U+00A0) for a space
      {"a no-break space in an interface name", lab("{}", "[]", "e\u00a0x")},
  };
  for (const auto& [what, text] : cases) {
    const auto outcome = parseGuarded(text, "lab.yaml");
    ASSERT_TRUE(outcome.finished) << what;
    EXPECT_GE(outcome.count, 1U) << what << " is accepted by the validator";
  }
}

}  // namespace
}  // namespace nstopo
