// SPDX-License-Identifier: Apache-2.0
#include "output.h"

#include <cstdio>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/core/names.h"

namespace nstopo::cli {
namespace {

/// Numbers in the base units (microseconds, percent, bits per second, packets), each key only
/// when the impairment has it.
nlohmann::json impairmentJson(const model::Impairment& impair) {
  nlohmann::json out = nlohmann::json::object();
  const auto chance = [&](const char* name, const std::optional<model::Chance>& value) {
    if (value) {
      out[name] = {{"percent", model::percentOf(value->probability)},
                   {"correlation_percent", model::percentOf(value->correlation)}};
    }
  };
  if (impair.delay_us) {
    out["delay_us"] = *impair.delay_us;
  }
  if (impair.jitter_us) {
    out["jitter_us"] = *impair.jitter_us;
  }
  if (impair.distribution) {
    out["delay_distribution"] = std::string(model::toString(*impair.distribution));
  }
  chance("loss", impair.loss);
  chance("duplicate", impair.duplicate);
  chance("corrupt", impair.corrupt);
  chance("reorder", impair.reorder);
  if (impair.gap) {
    out["gap"] = *impair.gap;
  }
  if (impair.rate) {
    out["rate_bits"] = *impair.rate;
  }
  if (impair.limit) {
    out["limit"] = *impair.limit;
  }
  out["text"] = model::impairmentText(impair);
  return out;
}

nlohmann::json linkJson(const state::LinkState& link) {
  nlohmann::json out = {
      {"name", link.name},
      {"kind", link.kind_name.empty() ? state::toString(link.kind) : link.kind_name},
      {"up", link.up}};
  if (link.mtu) {
    out["mtu"] = *link.mtu;
  }
  if (link.mac) {
    out["mac"] = *link.mac;
  }
  if (!link.master.empty()) {
    out["master"] = link.master;
  }
  if (link.peer) {
    out["peer"] = link.peer->str();
  }
  if (link.ipv6_link_local == false) {
    out["ipv6_link_local"] = false;
  }
  if (!link.bond_primary.empty()) {
    out["primary"] = link.bond_primary;
  }
  if (link.impair) {
    out["impair"] = impairmentJson(*link.impair);
  }
  if (!link.foreign_qdisc.empty()) {
    out["qdisc"] = link.foreign_qdisc;
  }
  if (link.kind == state::LinkKind::kBridge) {
    out["stp"] = link.stp;
    out["vlan_filtering"] = link.vlan_filtering;
  }
  nlohmann::json addresses = nlohmann::json::array();
  for (const auto& address : link.addresses) {
    addresses.push_back(address.cidr());
  }
  out["addresses"] = std::move(addresses);
  return out;
}

}  // namespace

void printError(const Error& error) {
  std::fprintf(stderr, "%s\n", formatError(error).c_str());
}

void printJson(const nlohmann::json& json) {
  // Names read from the kernel are bytes, not always UTF-8: replace what cannot be encoded
  // instead of throwing.
  std::printf("%s\n", json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void printText(const std::string& text) {
  std::fputs(text.c_str(), stdout);
}

bool writeOutput(const std::string& path, const std::string& text) {
  if (path.empty()) {
    printText(text);
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    printError(Error{ErrorKind::kKernel, fmt::format("cannot write {}", printable(path)), {}, 0});
    return false;
  }
  return true;
}

nlohmann::json errorJson(const Error& error) {
  nlohmann::json out = {{"message", printableMessage(error.message)}};
  if (error.where.known()) {
    out["file"] = printable(error.where.file);
    out["line"] = error.where.line;
    out["column"] = error.where.column;
  }
  return out;
}

nlohmann::json stateJson(const state::State& state) {
  nlohmann::json namespaces = nlohmann::json::array();
  for (const auto& [name, netns] : state.netns) {
    nlohmann::json links = nlohmann::json::array();
    for (const auto& [ifname, link] : netns.links) {
      links.push_back(linkJson(link));
    }
    nlohmann::json routes = nlohmann::json::array();
    for (const auto& [key, route] : netns.routes) {
      routes.push_back(route.str());
    }
    nlohmann::json loopback = nlohmann::json::array();
    for (const auto& address : netns.loopback_addresses) {
      loopback.push_back(address.cidr());
    }
    namespaces.push_back({{"name", name},
                          {"links", std::move(links)},
                          {"routes", std::move(routes)},
                          {"loopback_addresses", std::move(loopback)},
                          {"sysctls", netns.sysctls}});
  }
  nlohmann::json bridges = nlohmann::json::array();
  for (const auto& [name, bridge] : state.ovs_bridges) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& [port_name, port] : bridge.ports) {
      nlohmann::json item = {{"name", port_name},
                             {"internal", port.internal},
                             {"trunks", port.trunks},
                             {"external_ids", port.external_ids},
                             {"ofport", port.ofport}};
      if (port.tag) {
        item["tag"] = *port.tag;
      }
      if (!port.error.empty()) {
        item["error"] = port.error;
      }
      ports.push_back(std::move(item));
    }
    bridges.push_back({{"name", name},
                       {"datapath", bridge.datapath},
                       {"fail_mode", bridge.fail_mode},
                       {"protocols", bridge.protocols},
                       {"external_ids", bridge.external_ids},
                       {"ports", std::move(ports)}});
  }
  return {{"lab", state.lab},
          {"namespaces", std::move(namespaces)},
          {"ovs_bridges", std::move(bridges)}};
}

std::string renderState(const state::State& state) {
  // Every name here was read from the machine, where anyone with CAP_NET_ADMIN in a namespace
  // can pick it: print it through printable(), so a terminal gets text, never a command.
  const auto p = [](std::string_view text) { return printable(text); };
  std::string out;
  for (const auto& [name, netns] : state.netns) {
    out += fmt::format("{}{}\n", p(name), name == "host" ? " (the namespace nstopo runs in)" : "");
    for (const auto& address : netns.loopback_addresses) {
      out += fmt::format("  lo {}\n", address.cidr());
    }
    for (const auto& [ifname, link] : netns.links) {
      std::string line =
          fmt::format("  {:<15} {:<7} {:<4}", p(ifname),
                      p(link.kind_name.empty() ? state::toString(link.kind) : link.kind_name),
                      link.up ? "up" : "down");
      if (link.mtu) {
        line += fmt::format(" mtu {}", *link.mtu);
      }
      if (link.peer) {
        line += fmt::format(" peer {}", p(link.peer->str()));
      }
      if (!link.master.empty()) {
        line += fmt::format(" master {}", p(link.master));
      }
      if (!link.bond_primary.empty()) {
        line += fmt::format(" primary {}", p(link.bond_primary));
      }
      if (link.kind == state::LinkKind::kBridge) {
        line += fmt::format(" stp {}", link.stp ? "on" : "off");
      }
      if (link.tx_checksum && !*link.tx_checksum) {
        line += " tx-checksum-offload off";
      }
      if (link.ipv6_link_local == false) {
        line += " ipv6 off";
      }
      for (const auto& address : link.addresses) {
        line += " " + address.cidr();
      }
      // Last: the impairment's text has spaces and commas of its own.
      if (link.impair) {
        line += " impair " + model::impairmentText(*link.impair);
      }
      if (!link.foreign_qdisc.empty()) {
        line += fmt::format(" qdisc {}", p(link.foreign_qdisc));
      }
      out += line + "\n";
    }
    for (const auto& [key, route] : netns.routes) {
      out += fmt::format("  route {}\n", p(route.str()));
    }
    for (const auto& [key, value] : netns.sysctls) {
      out += fmt::format("  sysctl {} = {}\n", p(key), p(value));
    }
  }
  for (const auto& [name, bridge] : state.ovs_bridges) {
    out += fmt::format("ovs bridge {} (datapath {}{})\n", p(name), p(bridge.datapath),
                       bridge.fail_mode.empty() ? "" : ", fail_mode " + p(bridge.fail_mode));
    for (const auto& [port_name, port] : bridge.ports) {
      std::string line =
          fmt::format("  port {:<15} {}", p(port_name), port.internal ? "internal" : "system");
      if (port.tag) {
        line += fmt::format(" tag {}", *port.tag);
      }
      if (!port.trunks.empty()) {
        line += fmt::format(" trunks {}", fmt::join(port.trunks, ","));
      }
      line += fmt::format(" ofport {}", port.ofport);
      if (!port.error.empty()) {
        line += " error: " + p(port.error);
      }
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace nstopo::cli
