// SPDX-License-Identifier: Apache-2.0
// sys/sysctl.h and sys/own_procfs.h: a procfs of its own reads what the machine's /proc/sys
// reads, is mounted nowhere, is mounted again after kNamespacesPerProcfs namespaces of a thread,
// and a key that is not there is named by its /proc/sys path whichever procfs looked.
#include "nstopo/sys/sysctl.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/sys/own_procfs.h"

namespace nstopo {
namespace {

using sys::SysctlDir;

/// Lines of /proc/self/mountinfo that mount a procfs.
int procMounts() {
  std::ifstream in("/proc/self/mountinfo");
  int count = 0;
  for (std::string line; std::getline(in, line);) {
    count += line.find(" - proc ") != std::string::npos ? 1 : 0;
  }
  return count;
}

/// The device of the procfs a SysctlDir looks through: each procfs mount has its own.
dev_t deviceOf(const SysctlDir& dir) {
  struct stat st {};

  EXPECT_EQ(::fstatat(dir.sysFd(), ".", &st, 0), 0);
  return st.st_dev;
}

TEST(SysctlDir, TheMachinesProcSysReads) {
  const auto value = SysctlDir().read("kernel.ostype");
  ASSERT_TRUE(value.has_value()) << value.error().message;
  EXPECT_EQ(*value, "Linux");
  EXPECT_EQ(SysctlDir().sysFd(), -1);
}

TEST(SysctlDir, AProcfsOfItsOwnReadsTheSameAndIsMountedNowhere) {
  const int mounts_before = procMounts();
  {
    const UniqueFd own_sys = sys::openOwnProcSys();
    const SysctlDir own(own_sys.get());
    if (!own_sys.valid()) {
      GTEST_SKIP() << "the kernel gives this process no procfs of its own (fsopen needs "
                      "CAP_SYS_ADMIN over the pid namespace); the machine's /proc/sys serves";
    }
    for (const char* key : {"kernel.ostype", "net.ipv4.ip_forward", "net.core.somaxconn"}) {
      const auto mine = own.read(key);
      const auto machines = SysctlDir().read(key);
      ASSERT_TRUE(mine.has_value()) << key << ": " << mine.error().message;
      ASSERT_TRUE(machines.has_value()) << key;
      EXPECT_EQ(*mine, *machines) << key;
    }
    EXPECT_EQ(procMounts(), mounts_before) << "the procfs of its own shows in the mount table";
  }
  EXPECT_EQ(procMounts(), mounts_before);
}

TEST(SysctlDir, AMissingKeyIsNamedByItsProcSysPath) {
  const UniqueFd own_sys = sys::openOwnProcSys();
  for (const auto& dir : {SysctlDir(own_sys.get()), SysctlDir()}) {
    const auto value = dir.read("net.ipv4.no_such_key");
    ASSERT_FALSE(value.has_value());
    EXPECT_NE(value.error().message.find("/proc/sys/net/ipv4/no_such_key"), std::string::npos)
        << value.error().message;
    const auto written = dir.write("net.ipv4.no_such_key", "1");
    ASSERT_FALSE(written.has_value());
    EXPECT_NE(written.error().message.find("/proc/sys/net/ipv4/no_such_key"), std::string::npos)
        << written.error().message;
  }
}

TEST(SysctlDir, AThreadMountsAgainAfterItsShareOfNamespaces) {
  if (!sys::openOwnProcSys().valid()) {
    GTEST_SKIP() << "the kernel gives this process no procfs of its own; nothing to rotate";
  }
  // On a thread of its own, so the count starts at zero whatever ran on this one before.
  std::vector<dev_t> devices;
  std::thread([&] {
    for (int i = 0; i < 3 * sys::kNamespacesPerProcfs; ++i) {
      devices.push_back(deviceOf(SysctlDir::forNextNamespace()));
    }
  }).join();
  // A procfs's device number is free again once it is unmounted, so only neighbours differ.
  const std::size_t per = sys::kNamespacesPerProcfs;
  for (std::size_t i = 1; i < devices.size(); ++i) {
    if (i % per == 0) {
      EXPECT_NE(devices[i], devices[i - 1]) << "namespace " << i << " kept the last procfs";
    } else {
      EXPECT_EQ(devices[i], devices[i - 1]) << "namespace " << i << " left its procfs early";
    }
  }
}

}  // namespace
}  // namespace nstopo
