// SPDX-License-Identifier: Apache-2.0
// The whole of a file as text, for the tests that read files back.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace nstopo::support {

/// The bytes of the file at `path`, "" when it cannot be read.
inline std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace nstopo::support
