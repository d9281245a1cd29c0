// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/model/verify.h"

#include "yaml_fields.h"

namespace nstopo::parse {

/// Parses the topology file's `verify:` section (shape and types only).
void parseVerifySection(const YamlNode& node, const SourceLoc& key_loc, FieldReader& in,
                        model::VerifySpec& out);

}  // namespace nstopo::parse
