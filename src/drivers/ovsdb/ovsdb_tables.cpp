// SPDX-License-Identifier: Apache-2.0
#include "ovsdb_tables.h"

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/state/ownership.h"

#include "ovsdb_driver.h"
#include "ovsdb_reply.h"

namespace nstopo::ovsdb {

using nlohmann::json;

void decodeTables(const json& result, state::State& into) {
  using namespace reply;
  std::map<std::string, const json*> ports;
  for (const auto& row : rowsOf(result, 1, "Port")) {
    ports[uuid(member(row, "_uuid", "a Port row"), "a Port row's _uuid")] = &row;
  }
  std::map<std::string, const json*> interfaces;
  for (const auto& row : rowsOf(result, 2, "Interface")) {
    interfaces[uuid(member(row, "_uuid", "an Interface row"), "an Interface row's _uuid")] = &row;
  }
  for (const auto& row : rowsOf(result, 0, "Bridge")) {
    state::OvsBridgeState bridge;
    bridge.name = text(member(row, "name", "a Bridge row"), "a Bridge row's name");
    const std::string what = fmt::format("bridge '{}'", printable(bridge.name));
    bridge.datapath = optionalText(row, "datapath_type", what);
    if (bridge.datapath.empty()) {
      bridge.datapath = "system";  // OVSDB's default
    }
    bridge.fail_mode = optionalSetText(row, "fail_mode", what);
    for (const auto& protocol :
         setOf(optionalMember(row, "protocols", what), what + " protocols")) {
      bridge.protocols.push_back(text(protocol, what + " protocols"));
    }
    bridge.external_ids =
        stringMap(optionalMember(row, "external_ids", what), what + " external_ids");
    // Whoever can write this OVSDB can write the mark: a value that is no lab name is foreign.
    bridge.owner = bridge.external_ids.count(kLabKey) > 0
                       ? state::ownerFrom(bridge.external_ids.at(kLabKey))
                       : "";
    bridge.external_ids.erase(kLabKey);
    for (const auto& port_ref : setOf(optionalMember(row, "ports", what), what + " ports")) {
      const auto port_row = ports.find(uuid(port_ref, what + " ports"));
      if (port_row == ports.end()) {
        continue;
      }
      const json& prow = *port_row->second;
      state::OvsPortState port;
      port.name = text(member(prow, "name", "a Port row"), "a Port row's name");
      const std::string port_what = fmt::format("port '{}'", printable(port.name));
      const auto tag = setOf(optionalMember(prow, "tag", port_what), port_what + " tag");
      if (!tag.empty()) {
        port.tag = static_cast<int>(integer(tag[0], port_what + " tag"));
      }
      for (const auto& trunk :
           setOf(optionalMember(prow, "trunks", port_what), port_what + " trunks")) {
        port.trunks.push_back(static_cast<int>(integer(trunk, port_what + " trunks")));
      }
      const auto ifaces =
          setOf(optionalMember(prow, "interfaces", port_what), port_what + " interfaces");
      if (!ifaces.empty()) {
        const auto iface = interfaces.find(uuid(ifaces[0], port_what + " interfaces"));
        if (iface != interfaces.end()) {
          const json& irow = *iface->second;
          const std::string iface_what = "the interface of " + port_what;
          port.internal = optionalText(irow, "type", iface_what) == "internal";
          port.external_ids = stringMap(optionalMember(irow, "external_ids", iface_what),
                                        iface_what + " external_ids");
          const auto ofport =
              setOf(optionalMember(irow, "ofport", iface_what), iface_what + " ofport");
          port.ofport =
              ofport.empty() ? 0 : static_cast<int>(integer(ofport[0], iface_what + " ofport"));
          port.error = optionalSetText(irow, "error", iface_what);
        }
      }
      port.owner = port.external_ids.count(kLabKey) > 0
                       ? state::ownerFrom(port.external_ids.at(kLabKey))
                       : "";
      port.external_ids.erase(kLabKey);
      if (port.name == bridge.name && port.internal) {
        continue;  // the bridge's own port comes and goes with the bridge
      }
      bridge.ports[port.name] = std::move(port);
    }
    into.ovs_bridges[bridge.name] = std::move(bridge);
  }
}

}  // namespace nstopo::ovsdb
