// SPDX-License-Identifier: Apache-2.0
// Issue 19: a rootless lab is refused when it needs a module that is loadable but not loaded
// (only root can load it); a loaded, built-in or unknown module is left to the kernel.
#include "nstopo/sys/kernel_modules.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace nstopo {
namespace {

class KernelModules : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nstopo-modules-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    files_ = {dir_ + "/modules", dir_ + "/modules.builtin", dir_ + "/modules.dep"};
    write(files_.loaded, "veth 40960 0 - Live 0x0\nbridge 311296 0 - Live 0x0\n");
    write(files_.builtin, "kernel/drivers/net/dummy.ko\n");
    write(files_.loadable,
          "kernel/drivers/net/veth.ko.xz:\nkernel/drivers/net/macvlan.ko.zst:\n"
          "kernel/net/8021q/8021q.ko: kernel/net/802/garp.ko\nkernel/net/sched/sch_netem.ko:\n");
  }

  void TearDown() override {
    for (const auto& file : {files_.loaded, files_.builtin, files_.loadable}) {
      ::unlink(file.c_str());
    }
    ::rmdir(dir_.c_str());
  }

  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  std::string dir_;
  sys::ModuleFiles files_;
};

TEST_F(KernelModules, LoadableButNotLoadedNeedsRoot) {
  EXPECT_TRUE(sys::moduleNeedsLoading("macvlan", files_));
  EXPECT_TRUE(sys::moduleNeedsLoading("8021q", files_));
  EXPECT_TRUE(sys::moduleNeedsLoading("sch-netem", files_));  // '-' and '_' alike
}

TEST_F(KernelModules, LoadedBuiltInOrUnknownIsLeftToTheKernel) {
  EXPECT_FALSE(sys::moduleNeedsLoading("veth", files_));    // loaded
  EXPECT_FALSE(sys::moduleNeedsLoading("dummy", files_));   // built in
  EXPECT_FALSE(sys::moduleNeedsLoading("ipvlan", files_));  // this kernel has none
}

TEST_F(KernelModules, AKernelWithoutLoadableModulesNeedsNone) {
  files_.loaded = dir_ + "/absent";
  EXPECT_FALSE(sys::moduleNeedsLoading("macvlan", files_));
}

}  // namespace
}  // namespace nstopo
