// SPDX-License-Identifier: Apache-2.0
// sameImpairment: the kernel's root qdisc carries the file's impairment when every field but the
// delay distribution (which the kernel does not report back) is equal.
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/impairment.h"

namespace nstopo::model {
namespace {

Impairment everything() {
  Impairment impairment;
  impairment.delay_us = 50'000;
  impairment.jitter_us = 5'000;
  impairment.distribution = DelayDistribution::kNormal;
  impairment.loss = Chance{100, 10};
  impairment.duplicate = Chance{200, 20};
  impairment.corrupt = Chance{300, 30};
  impairment.reorder = Chance{400, 40};
  impairment.gap = 5;
  impairment.rate = 8'000'000;
  impairment.limit = 1000;
  return impairment;
}

TEST(SameImpairment, TheDistributionIsNotCompared) {
  Impairment read = everything();
  read.distribution.reset();
  EXPECT_TRUE(sameImpairment(everything(), read));
  read.distribution = DelayDistribution::kPareto;
  EXPECT_TRUE(sameImpairment(everything(), read));
}

TEST(SameImpairment, EveryOtherFieldIs) {
  const std::vector<std::function<void(Impairment&)>> changes = {
      [](Impairment& i) { i.delay_us = 60'000; },
      [](Impairment& i) { i.jitter_us.reset(); },
      [](Impairment& i) {
        i.loss = Chance{100, 11};
      },
      [](Impairment& i) { i.duplicate.reset(); },
      [](Impairment& i) {
        i.corrupt = Chance{301, 30};
      },
      [](Impairment& i) {
        i.reorder = Chance{400, 41};
      },
      [](Impairment& i) { i.gap = 6; },
      [](Impairment& i) { i.rate = 16'000'000; },
      [](Impairment& i) { i.limit.reset(); },
  };
  for (std::size_t index = 0; index < changes.size(); ++index) {
    Impairment read = everything();
    changes[index](read);
    EXPECT_FALSE(sameImpairment(everything(), read)) << "change " << index;
  }
}

}  // namespace
}  // namespace nstopo::model
