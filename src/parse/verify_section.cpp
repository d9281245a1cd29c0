// SPDX-License-Identifier: Apache-2.0
#include "verify_section.h"

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::parse {

void parseVerifySection(const YamlNode& node, const SourceLoc& key_loc, FieldReader& in,
                        model::VerifySpec& out) {
  out.loc = key_loc;
  in.forEachField(
      node, "verify", {"all_pairs", "expect"},
      [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
        if (key == "all_pairs") {
          out.all_pairs = in.boolean(value, "verify all_pairs").value_or(false);
          return;
        }
        in.forEachItem(value, "verify expect", [&](const YamlNode& item) {
          model::Expectation expectation;
          expectation.loc = in.at(item);
          bool has_from = false;
          bool has_to = false;
          const bool shaped = in.forEachField(
              item, "expectation", {"from", "to", "reachable", "protocol", "port"},
              [&](const std::string& field, const SourceLoc&, const YamlNode& v) {
                if (field == "from") {
                  has_from = true;
                  expectation.from = in.string(v, "expectation 'from'").value_or("");
                } else if (field == "to") {
                  has_to = true;
                  expectation.to = in.string(v, "expectation 'to'").value_or("");
                } else if (field == "reachable") {
                  expectation.reachable = in.boolean(v, "expectation reachable").value_or(true);
                } else if (field == "protocol") {
                  const auto protocol = in.string(v, "expectation protocol");
                  if (protocol && *protocol == "tcp") {
                    expectation.protocol = model::Expectation::Protocol::kTcp;
                  } else if (protocol && *protocol != "icmp") {
                    in.problem(in.at(v), fmt::format("expectation protocol must be icmp or tcp, "
                                                     "found '{}'",
                                                     excerpt(*protocol)));
                  }
                } else if (field == "port") {
                  if (auto port = in.integer(v, "expectation port", 1, 65535)) {
                    expectation.port = static_cast<std::uint16_t>(*port);
                  }
                }
              });
          if (!shaped || !item.IsMap()) {
            return;
          }
          if (!has_from || !has_to) {
            in.problem(expectation.loc,
                       "an expectation needs 'from' (a node) and 'to' (a node, "
                       "NODE:IFNAME or an address)");
            return;
          }
          out.expectations.push_back(std::move(expectation));
        });
      });
}

}  // namespace nstopo::parse
