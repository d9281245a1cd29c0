// SPDX-License-Identifier: Apache-2.0
#include "verify_section.h"

namespace nstopo::parse {

void parseVerifySection(const YAML::Node& node, const SourceLoc& key_loc, FieldReader& in,
                        model::VerifySpec& out) {
  out.loc = key_loc;
  in.forEachField(node, "verify", {"all_pairs"},
                  [&](const std::string&, const SourceLoc&, const YAML::Node& value) {
                    out.all_pairs = in.boolean(value, "verify all_pairs").value_or(false);
                  });
}

}  // namespace nstopo::parse
