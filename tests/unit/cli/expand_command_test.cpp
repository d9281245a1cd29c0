// SPDX-License-Identifier: Apache-2.0
// `nstopo expand FILE` (issue 16, part 2): the expanded text on stdout and exit 0 for a valid
// file; a broken file is reported as `validate` reports it, with nothing on stdout.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "cli/commands.h"

namespace nstopo::cli {
namespace {

const std::string kSourceDir = NSTOPO_SOURCE_DIR;

struct Printed {
  std::string out;
  std::string err;
  int code = -1;
};

Printed expand(const std::string& file) {
  Printed printed;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  printed.code = runExpand(GlobalOptions{}, file);
  std::fflush(stdout);
  std::fflush(stderr);
  printed.out = testing::internal::GetCapturedStdout();
  printed.err = testing::internal::GetCapturedStderr();
  return printed;
}

TEST(ExpandCommand, PrintsTheFileWithItsDefaultsWrittenOut) {
  const auto printed = expand(kSourceDir + "/topologies/examples/defaults-lan.yaml");
  EXPECT_EQ(printed.code, 0);
  EXPECT_EQ(printed.err, "");
  EXPECT_EQ(
      printed.out.rfind("# yaml-language-server: $schema=../../docs/topology.schema.json\n", 0),
      0U);
  EXPECT_EQ(printed.out.find("\ndefaults:"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("eth0: {addresses: [10.30.0.11/24], mtu: 1400}"), std::string::npos)
      << printed.out;
}

TEST(ExpandCommand, ABrokenFileIsReportedAndNothingIsPrinted) {
  const std::string file = kSourceDir + "/tests/hostile/cidr-text.yaml";
  const auto printed = expand(file);
  EXPECT_NE(printed.code, 0);
  EXPECT_EQ(printed.out, "");
  EXPECT_EQ(printed.err.rfind(file + ":", 0), 0U) << printed.err;
}

}  // namespace
}  // namespace nstopo::cli
