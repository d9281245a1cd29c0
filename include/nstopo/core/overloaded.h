// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace nstopo {

/// Builds one visitor out of lambdas for std::visit over a variant.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace nstopo
