// SPDX-License-Identifier: Apache-2.0
#include "nstopo/parse/yaml_loader.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include "nstopo/core/names.h"
#include "nstopo/core/overloaded.h"
#include "nstopo/core/suggest.h"
#include "nstopo/model/advice.h"
#include "nstopo/model/validate.h"

#include "file_reader.h"
#include "impairment_fields.h"
#include "node_defaults.h"
#include "ranges.h"
#include "text_precheck.h"
#include "verify_section.h"
#include "yaml_fields.h"

namespace nstopo::parse {
namespace {

constexpr std::int64_t kMaxMtu = 65535;
constexpr std::int64_t kMinMtu = 68;

/// Turns YAML nodes into the model. Every check here is about shape and type; references between
/// objects are the validator's job.
class TopologyParser {
 public:
  TopologyParser(const std::string& file, Diagnostics& problems)
      : in_(file, problems), file_(file) {}

  model::Topology parse(const YamlNode& root) {
    model::Topology topology;
    topology.file = file_;
    if (!root.IsMap()) {
      in_.problem(in_.at(root).known() ? in_.at(root) : SourceLoc{file_, 1, 1},
                  "the topology must be a mapping with at least 'name' and 'nodes'");
      return topology;
    }
    countNodeRanges(root);
    bool has_name = false;
    static const std::vector<std::string> kTopLevelKeys = {
        "version", "name", "defaults", "nodes", "bridges", "links", "verify", "hosts", "vni_range"};
    in_.forEachField(root, "topology", kTopLevelKeys,
                     [&](const std::string& key, const SourceLoc& loc, const YamlNode& value) {
                       if (key == "version") {
                         if (auto v = in_.integer(value, "version", 1, 1)) {
                           topology.version = static_cast<int>(*v);
                         }
                       } else if (key == "name") {
                         has_name = true;
                         topology.name_loc = in_.at(value).known() ? in_.at(value) : loc;
                         topology.name = in_.string(value, "name").value_or("");
                       } else if (key == "defaults") {
                         defaults_loc_ = loc;
                         parseDefaults(value);
                       } else if (key == "nodes") {
                         parseNodes(value, topology);
                       } else if (key == "bridges") {
                         parseBridges(value, topology);
                       } else if (key == "links") {
                         parseLinks(value, topology);
                       } else if (key == "verify") {
                         parseVerifySection(value, loc, in_, topology.verify);
                       } else if (key == "hosts") {
                         // A mapping names the machines the lab spans; a boolean turns the hosts
                         // files on or off, as it always did.
                         if (value.IsMap()) {
                           topology.lab_hosts_loc = loc;
                           parseLabHosts(value, topology);
                         } else {
                           topology.hosts = in_.boolean(value, "hosts").value_or(true);
                         }
                       } else if (key == "vni_range") {
                         parseVniRange(value, loc, topology.vni_range);
                       }
                     });
    if (!has_name) {
      in_.problem(SourceLoc{file_, 1, 1}, "the topology has no 'name' (the lab's name)");
    }
    return topology;
  }

  /// Merges `defaults:` into the nodes; call after model::resolveEndpoints (links give nodes
  /// interfaces).
  void applyDefaults(model::Topology& topology) {
    // Every node copies every default route and sysctl: a small file could otherwise ask for
    // billions of them before the validator's limits are checked on the merged model.
    const auto copies = inheritedEntries(defaults_, topology);
    if (copies > kMaxInheritedEntries) {
      in_.problem(defaults_loc_,
                  fmt::format("defaults: every node inheriting every default route and sysctl "
                              "makes {} entries, more than {}; write them in fewer nodes",
                              copies, kMaxInheritedEntries));
      return;
    }
    applyNodeDefaults(defaults_, written_, topology);
  }

 private:
  void parseDefaults(const YamlNode& node) {
    const std::string what = "defaults";
    in_.forEachField(
        node, what, {"interfaces", "routes", "sysctls"},
        [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
          if (key == "interfaces") {
            // Settings for every interface at once, not keyed by interface name.
            in_.forEachField(
                value, "defaults interfaces (mtu, up, promisc or impair of every interface)",
                {"mtu", "up", "promisc", "impair"},
                [&](const std::string& setting, const SourceLoc&, const YamlNode& v) {
                  if (setting == "mtu") {
                    defaults_.mtu = parseMtu(v, "defaults interfaces");
                  } else if (setting == "up") {
                    defaults_.up = in_.boolean(v, "defaults interfaces up");
                  } else if (setting == "promisc") {
                    defaults_.promisc = in_.boolean(v, "defaults interfaces promisc");
                  } else if (setting == "impair") {
                    defaults_.impair = parseImpairment(in_, v, "defaults interfaces impair");
                    defaults_.impair_loc = in_.at(v);
                  }
                });
          } else if (key == "routes") {
            parseRoutes(value, what, defaults_.routes);
          } else if (key == "sysctls") {
            parseSysctls(value, what, defaults_.sysctls);
          }
        });
  }

  void parseRoutes(const YamlNode& value, const std::string& what, std::vector<model::Route>& out) {
    in_.forEachItem(value, what + " routes", [&](const YamlNode& item) {
      if (auto route = parseRoute(item, what)) {
        out.push_back(std::move(*route));
      }
    });
  }

  void parseSysctls(const YamlNode& value, const std::string& what,
                    std::vector<model::Sysctl>& out) {
    in_.forEachEntry(value, what + " sysctls",
                     [&](const std::string& sysctl, const SourceLoc& loc, const YamlNode& v) {
                       if (auto text = in_.string(v, "sysctl '" + excerpt(sysctl) + "'")) {
                         out.push_back(model::Sysctl{sysctl, *text, loc});
                       }
                     });
  }

  void parseNodes(const YamlNode& node, model::Topology& topology) {
    in_.forEachEntry(
        node, "nodes", [&](const std::string& key, const SourceLoc& loc, const YamlNode& value) {
          const auto range = rangeInNodeKey(key);
          if (!range) {
            in_.problem(loc, fmt::format("node {}", range.error()));
          } else if (!*range) {
            addNode(key, key, loc, value, topology);
          } else if (!ranges_refused_) {
            // Every instance reads the entry again, with its number; the places stay the range's.
            forEachInstance(**range, "", [&](std::int64_t i) {
              if (const auto name = instantiate(key, **range, i)) {
                addNode(*name, key, loc, value, topology);
              } else {
                in_.problem(loc, fmt::format("node '{}': {}", excerpt(key), name.error()));
              }
            });
          }
        });
  }

  /// The node `name`, written as `key` (itself, or the range that makes it).
  void addNode(const std::string& name, const std::string& key, const SourceLoc& loc,
               const YamlNode& value, model::Topology& topology) {
    const auto [first, added] = node_keys_.try_emplace(name, std::pair(key, loc));
    if (!added) {
      const auto& [first_key, first_loc] = first->second;
      in_.problem(loc, fmt::format("node '{}'{} is also {} at line {}", excerpt(name),
                                   key == name ? "" : fmt::format(" of range '{}'", excerpt(key)),
                                   first_key == name
                                       ? std::string("written")
                                       : fmt::format("made by range '{}'", excerpt(first_key)),
                                   first_loc.line));
      return;
    }
    model::Node parsed;
    parsed.name = name;
    parsed.loc = loc;
    parseNode(value, parsed);
    topology.nodes.emplace(name, std::move(parsed));
  }

  /// Counts the instances of the node ranges before any is read, so a short file that asks for
  /// millions of nodes is refused without making one. (Links are counted as they are read:
  /// looking into every link first could cost as much as reading them.)
  void countNodeRanges(const YamlNode& root) {
    // A missing key gives an invalid node, which throws when asked its type.
    if (const auto nodes = root["nodes"]; nodes.IsDefined() && nodes.IsMap()) {
      for (const auto& entry : nodes) {
        const auto range = entry.first.IsScalar() ? rangeInNodeKey(entry.first.Scalar())
                                                  : RangeFound(std::nullopt);
        if (range && *range && !reserveInstances(**range, in_.at(entry.first))) {
          return;
        }
      }
    }
  }

  /// Whether the ranges counted so far and `range` stay within kMaxRangeInstances; reported
  /// once when not, and no range is read after that.
  bool reserveInstances(const IndexRange& range, const SourceLoc& loc) {
    if (ranges_refused_) {
      return false;
    }
    range_instances_ += range.count();
    if (range_instances_ > kMaxRangeInstances) {
      in_.problem(loc, fmt::format("range '{}': the ranges of the file make more than {} "
                                   "instances in all",
                                   range.written, kMaxRangeInstances));
      ranges_refused_ = true;
    }
    return !ranges_refused_;
  }

  /// Runs `read` once per number of `range`, with the reader substituting it. Stops after the
  /// first instance with a problem: the others would mostly repeat it, once per number.
  void forEachInstance(const IndexRange& range, const std::string& label,
                       const std::function<void(std::int64_t)>& read) {
    for (std::int64_t i = range.first; i <= range.last; ++i) {
      const std::size_t known = in_.problemCount();
      in_.setInstance(range, i, label.empty() ? "" : fmt::format("{} {}", label, range.number(i)));
      read(i);
      in_.clearInstance();
      if (in_.problemCount() > known) {
        return;
      }
    }
  }

  void parseNode(const YamlNode& node, model::Node& out) {
    const std::string what = fmt::format("node '{}'", excerpt(out.name));
    in_.forEachField(
        node, what, {"interfaces", "routes", "sysctls", "exec", "services", "host"},
        [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
          if (key == "host") {
            out.host = in_.string(value, what + " host");
            out.host_loc = in_.at(value);
          } else if (key == "exec") {
            in_.forEachItem(value, what + " exec", [&](const YamlNode& item) {
              out.exec.push_back(
                  model::Command{parseArgv(item, what + " exec command"), in_.at(item)});
            });
          } else if (key == "services") {
            in_.forEachItem(value, what + " services", [&](const YamlNode& item) {
              out.services.push_back(parseService(item, what));
            });
          } else if (key == "interfaces") {
            in_.forEachEntry(
                value, what + " interfaces",
                [&](const std::string& ifname, const SourceLoc& loc, const YamlNode& settings) {
                  model::InterfaceSettings parsed;
                  parsed.loc = loc;
                  auto& written = written_[out.name][ifname];
                  if (settings.IsMap()) {
                    for (const auto& field : settings) {
                      written.insert(field.first.Scalar());
                    }
                  }
                  parseInterface(settings, what + " interface '" + excerpt(ifname) + "'", parsed);
                  out.interfaces.emplace(ifname, std::move(parsed));
                });
          } else if (key == "routes") {
            parseRoutes(value, what, out.routes);
          } else if (key == "sysctls") {
            parseSysctls(value, what, out.sysctls);
          }
        });
  }

  /// An argument vector: a list of strings. A single string is refused with the list it would
  /// be, since nstopo runs no shell to split it.
  std::vector<std::string> parseArgv(const YamlNode& node, const std::string& what) {
    std::vector<std::string> argv;
    if (node.IsScalar()) {
      in_.problem(in_.at(node),
                  fmt::format("{}: write the command as a list of arguments, such as [ip, link, "
                              "show] (no shell splits it; use [sh, -c, '...'] for one)",
                              what));
      return argv;
    }
    in_.forEachItem(node, what, [&](const YamlNode& item) {
      if (auto text = in_.string(item, what + " argument")) {
        argv.push_back(*text);
      }
    });
    return argv;
  }

  model::Service parseService(const YamlNode& node, const std::string& owner) {
    model::Service service;
    service.loc = in_.at(node);
    bool has_name = false;
    bool has_command = false;
    in_.forEachField(
        node, owner + " service", {"name", "command", "env", "cwd", "after", "ready"},
        [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
          const std::string what = fmt::format("{} service '{}'", owner, excerpt(service.name));
          if (key == "name") {
            has_name = true;
            service.name = in_.string(value, owner + " service name").value_or("");
          } else if (key == "command") {
            has_command = true;
            service.command = parseArgv(value, what + " command");
          } else if (key == "cwd") {
            service.cwd = in_.string(value, what + " cwd").value_or("");
          } else if (key == "env") {
            in_.forEachEntry(value, what + " env",
                             [&](const std::string& name, const SourceLoc&, const YamlNode& v) {
                               if (auto text = in_.string(v, what + " env " + excerpt(name))) {
                                 service.env[name] = *text;
                               }
                             });
          } else if (key == "after") {
            in_.forEachItem(value, what + " after", [&](const YamlNode& item) {
              if (auto text = in_.string(item, what + " after")) {
                service.after.emplace_back(*text, in_.at(item));
              }
            });
          } else if (key == "ready") {
            service.ready = parseReadiness(value, what);
          }
        });
    if (node.IsMap() && !has_name) {
      in_.problem(service.loc, fmt::format("{} service has no 'name'", owner));
    }
    if (node.IsMap() && !has_command) {
      in_.problem(service.loc,
                  fmt::format("{} service '{}' has no 'command'", owner, excerpt(service.name)));
    }
    return service;
  }

  model::Readiness parseReadiness(const YamlNode& node, const std::string& what) {
    model::Readiness ready;
    ready.loc = in_.at(node);
    in_.forEachField(node, what + " ready", {"tcp", "command", "timeout"},
                     [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
                       if (key == "tcp") {
                         if (auto port = in_.integer(value, what + " ready tcp", 1, 65535)) {
                           ready.tcp_port = static_cast<int>(*port);
                         }
                       } else if (key == "command") {
                         ready.command = parseArgv(value, what + " ready command");
                       } else if (key == "timeout") {
                         // Seconds: apply waits at most this long for the service.
                         if (auto s = in_.integer(value, what + " ready timeout", 1, 600)) {
                           ready.timeout_ms = static_cast<int>(*s) * 1000;
                         }
                       }
                     });
    if (ready.tcp_port && !ready.command.empty()) {
      in_.problem(ready.loc, fmt::format("{} ready: give 'tcp' or 'command', not both", what));
    }
    return ready;
  }

  void parseInterface(const YamlNode& node, const std::string& what,
                      model::InterfaceSettings& out) {
    in_.forEachField(node, what, {"addresses", "mtu", "mac", "up", "promisc", "vrf", "impair"},
                     [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
                       if (key == "impair") {
                         out.impair = parseImpairment(in_, value, what + " impair");
                         out.impair_loc = in_.at(value);
                       } else if (key == "vrf") {
                         out.vrf = in_.string(value, what + " vrf");
                         out.vrf_loc = in_.at(value);
                       } else if (key == "addresses") {
                         out.addresses = parseAddresses(value, what);
                       } else if (key == "mtu") {
                         out.mtu = parseMtu(value, what);
                       } else if (key == "mac") {
                         out.mac = parseMac(value, what);
                       } else if (key == "up") {
                         out.up = in_.boolean(value, what + " up").value_or(true);
                       } else if (key == "promisc") {
                         out.promisc = in_.boolean(value, what + " promisc");
                       }
                     });
  }

  std::vector<model::Address> parseAddresses(const YamlNode& node, const std::string& what) {
    std::vector<model::Address> addresses;
    in_.forEachItem(node, what + " addresses", [&](const YamlNode& item) {
      const auto text = in_.string(item, what + " address");
      if (!text) {
        return;
      }
      const auto ip = parseCidr(*text);
      if (ip && ip->bytes == decltype(ip->bytes){}) {
        in_.problem(in_.at(item), fmt::format("{}: '{}' is the unspecified address, not one an "
                                              "interface can have",
                                              what, excerpt(*text)));
      } else if (ip) {
        addresses.push_back(model::Address{*ip, in_.at(item)});
      } else {
        in_.problem(in_.at(item),
                    fmt::format("{}: '{}' is not an address with a prefix length, such as "
                                "10.0.0.1/24 or 2001:db8::1/64",
                                what, excerpt(*text)));
      }
    });
    return addresses;
  }

  std::optional<std::uint32_t> parseMtu(const YamlNode& node, const std::string& what) {
    if (auto mtu = in_.integer(node, what + " mtu", kMinMtu, kMaxMtu)) {
      return static_cast<std::uint32_t>(*mtu);
    }
    return std::nullopt;
  }

  std::optional<std::string> parseMac(const YamlNode& node, const std::string& what) {
    const auto text = in_.string(node, what + " mac");
    if (!text) {
      return std::nullopt;
    }
    auto mac = canonicalMac(*text);
    if (!mac) {
      in_.problem(in_.at(node), fmt::format("{}: '{}' is not a unicast MAC address such as "
                                            "02:00:00:00:00:01",
                                            what, excerpt(*text)));
    }
    return mac;
  }

  std::optional<model::Route> parseRoute(const YamlNode& node, const std::string& owner) {
    model::Route route;
    route.loc = in_.at(node);
    const std::string what = owner + " route";
    bool has_to = false;
    bool ok = true;
    std::optional<std::string> family_hint;
    in_.forEachField(
        node, what, {"to", "via", "dev", "metric", "family", "vrf"},
        [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
          if (key == "to") {
            has_to = true;
            const auto text = in_.string(value, what + " 'to'");
            if (!text) {
              ok = false;
            } else if (*text == "default") {
              route.is_default = true;
            } else if (auto ip = parseCidr(*text)) {
              if (ip->network() != *ip) {
                in_.problem(in_.at(value),
                            fmt::format("{}: '{}' has host bits set; the network is {}", what,
                                        *text, ip->network().cidr()));
                ok = false;
              }
              route.to = *ip;
              route.family = ip->family;
            } else {
              in_.problem(in_.at(value),
                          fmt::format("{}: 'to' must be 'default' or a prefix such as "
                                      "10.0.0.0/24, found '{}'",
                                      what, excerpt(*text)));
              ok = false;
            }
          } else if (key == "via") {
            const auto text = in_.string(value, what + " 'via'");
            if (auto ip = text ? parseIp(*text) : std::nullopt) {
              route.via = *ip;
            } else {
              if (text) {
                in_.problem(in_.at(value), fmt::format("{}: 'via' must be an address without a "
                                                       "prefix, found '{}'",
                                                       what, excerpt(*text)));
              }
              ok = false;
            }
          } else if (key == "dev") {
            route.dev = in_.string(value, what + " 'dev'");
            ok = ok && route.dev.has_value();
          } else if (key == "vrf") {
            route.vrf = in_.string(value, what + " 'vrf'");
            ok = ok && route.vrf.has_value();
          } else if (key == "metric") {
            if (auto metric = in_.integer(value, what + " metric", 0, 0xffffffffLL)) {
              route.metric = static_cast<std::uint32_t>(*metric);
            } else {
              ok = false;
            }
          } else if (key == "family") {
            family_hint = in_.string(value, what + " family");
            if (family_hint && *family_hint != "ipv4" && *family_hint != "ipv6") {
              in_.problem(in_.at(value), fmt::format("{}: family must be ipv4 or ipv6, found '{}'",
                                                     what, excerpt(*family_hint)));
              ok = false;
            }
          }
        });
    if (!node.IsMap()) {
      return std::nullopt;
    }
    if (!has_to) {
      in_.problem(route.loc, fmt::format("{} has no 'to' (a prefix or 'default')", what));
      return std::nullopt;
    }
    if (!ok) {
      return std::nullopt;
    }
    if (route.is_default) {
      // A default route's family follows its gateway, or the explicit family.
      if (route.via) {
        route.family = route.via->family;
      } else if (family_hint) {
        route.family = *family_hint == "ipv6" ? AF_INET6 : AF_INET;
      } else {
        in_.problem(route.loc,
                    fmt::format("{}: a default route without 'via' needs 'family: ipv4' or "
                                "'family: ipv6'",
                                what));
        return std::nullopt;
      }
      route.to.family = route.family;
      route.to.prefix_len = 0;
    }
    if (!route.via && !route.dev) {
      in_.problem(route.loc, fmt::format("{} needs 'via', 'dev' or both", what));
      return std::nullopt;
    }
    if (family_hint) {
      const int stated = *family_hint == "ipv6" ? AF_INET6 : AF_INET;
      const int actual = route.via ? route.via->family : route.to.family;
      if (stated != actual || route.to.family != actual) {
        in_.problem(route.loc, fmt::format("{}: 'family: {}' does not match its addresses", what,
                                           *family_hint));
        return std::nullopt;
      }
    }
    return route;
  }

  void parseBridges(const YamlNode& node, model::Topology& topology) {
    in_.forEachEntry(
        node, "bridges", [&](const std::string& name, const SourceLoc& loc, const YamlNode& value) {
          model::Bridge bridge;
          bridge.name = name;
          bridge.loc = loc;
          const std::string what = fmt::format("bridge '{}'", excerpt(name));
          // The kind decides which keys are allowed, so read it first.
          if (value.IsMap() && value["kind"]) {
            const auto kind = in_.string(value["kind"], what + " kind");
            if (kind && *kind == "ovs") {
              bridge.kind = model::BridgeKind::kOvs;
            } else if (kind && *kind != "linux") {
              in_.problem(in_.at(value["kind"]),
                          fmt::format("{}: kind '{}' is not supported (supported: linux, ovs)",
                                      what, excerpt(*kind)));
              return;
            }
          }
          const bool ovs = bridge.kind == model::BridgeKind::kOvs;
          const std::vector<std::string> keys =
              ovs ? std::vector<std::string>{"kind",         "datapath", "fail_mode", "protocols",
                                             "external_ids", "ports",    "host",      "vni"}
                  : std::vector<std::string>{"kind", "node", "stp",       "vlan_filtering", "mtu",
                                             "mac",  "up",   "addresses", "host",           "vni"};
          in_.forEachField(
              value, what, keys, [&](const std::string& key, const SourceLoc&, const YamlNode& v) {
                if (key == "node") {
                  bridge.node = in_.string(v, what + " node").value_or(model::kHostNode);
                } else if (key == "host") {
                  bridge.host = in_.string(v, what + " host");
                  bridge.host_loc = in_.at(v);
                } else if (key == "vni") {
                  bridge.vni = parseVni(v, what);
                  bridge.vni_loc = in_.at(v);
                } else if (key == "stp") {
                  bridge.stp = in_.boolean(v, what + " stp").value_or(false);
                } else if (key == "vlan_filtering") {
                  bridge.vlan_filtering = in_.boolean(v, what + " vlan_filtering").value_or(false);
                } else if (key == "mtu") {
                  bridge.settings.mtu = parseMtu(v, what);
                } else if (key == "mac") {
                  bridge.settings.mac = parseMac(v, what);
                } else if (key == "addresses") {
                  bridge.settings.addresses = parseAddresses(v, what);
                } else if (key == "up") {
                  bridge.settings.up = in_.boolean(v, what + " up").value_or(true);
                } else if (key == "datapath") {
                  bridge.datapath =
                      parseChoice(v, what + " datapath", {"auto", "system", "netdev"});
                } else if (key == "fail_mode") {
                  bridge.fail_mode = parseChoice(v, what + " fail_mode", {"standalone", "secure"});
                } else if (key == "protocols") {
                  in_.forEachItem(v, what + " protocols", [&](const YamlNode& item) {
                    bridge.protocols.push_back(
                        parseChoice(item, what + " protocol",
                                    {"OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13",
                                     "OpenFlow14", "OpenFlow15"}));
                  });
                } else if (key == "external_ids") {
                  bridge.external_ids =
                      parseStringMap(v, what + " external_ids", bridge.external_ids_loc);
                } else if (key == "ports") {
                  in_.forEachEntry(
                      v, what + " ports",
                      [&](const std::string& port, const SourceLoc& port_loc,
                          const YamlNode& settings) {
                        bridge.ports.emplace(
                            port, parseOvsPort(settings, what + " port '" + excerpt(port) + "'",
                                               port_loc));
                      });
                }
              });
          topology.bridges.emplace(name, std::move(bridge));
        });
  }

  model::OvsPortSettings parseOvsPort(const YamlNode& node, const std::string& what,
                                      const SourceLoc& loc) {
    model::OvsPortSettings port;
    port.loc = loc;
    in_.forEachField(node, what, {"tag", "trunks", "external_ids"},
                     [&](const std::string& key, const SourceLoc&, const YamlNode& v) {
                       if (key == "tag") {
                         if (auto tag = in_.integer(v, what + " tag", 0, 4095)) {
                           port.tag = static_cast<int>(*tag);
                         }
                       } else if (key == "trunks") {
                         in_.forEachItem(v, what + " trunks", [&](const YamlNode& item) {
                           if (auto vlan = in_.integer(item, what + " trunk", 0, 4095)) {
                             port.trunks.push_back(static_cast<int>(*vlan));
                           }
                         });
                       } else if (key == "external_ids") {
                         port.external_ids =
                             parseStringMap(v, what + " external_ids", port.external_ids_loc);
                       }
                     });
    return port;
  }

  /// A mapping of strings to strings; `where` gets each entry's place for the validator.
  std::map<std::string, std::string> parseStringMap(const YamlNode& node, const std::string& what,
                                                    std::map<std::string, model::EntryLoc>& where) {
    std::map<std::string, std::string> out;
    in_.forEachEntry(node, what,
                     [&](const std::string& key, const SourceLoc& key_loc, const YamlNode& v) {
                       if (auto text = in_.string(v, what + " '" + excerpt(key) + "'")) {
                         out[key] = *text;
                         where[key] = model::EntryLoc{key_loc, in_.at(v)};
                       }
                     });
    return out;
  }

  void parseLinks(const YamlNode& node, model::Topology& topology) {
    in_.forEachItem(node, "links", [&](const YamlNode& item) {
      const auto range = rangeInLink(item);
      auto add = [&](std::int64_t) {
        if (auto link = parseLink(item)) {
          topology.links.push_back(std::move(*link));
        }
      };
      if (!range) {
        in_.problem(in_.at(item), fmt::format("link: {}", range.error()));
      } else if (!*range) {
        add(0);
      } else if (reserveInstances(**range, in_.at(item))) {
        forEachInstance(**range, fmt::format("link of range {}, number", (*range)->written), add);
      }
    });
  }

  /// The kind decides which keys a link may have, so it is read first.
  std::optional<model::Link> parseLink(const YamlNode& item) {
    model::Link link;
    link.loc = in_.at(item);
    if (!item.IsMap()) {
      in_.problem(link.loc, "a link must be a mapping with 'kind' and its endpoints");
      return std::nullopt;
    }
    const YamlNode kind_node = item["kind"];
    if (!kind_node) {
      in_.problem(link.loc, fmt::format("link has no 'kind' ({})", kindList(" or ")));
      return std::nullopt;
    }
    const auto kind = in_.string(kind_node, "link kind");
    if (!kind) {
      return std::nullopt;
    }
    const auto found = model::linkKindNamed(*kind);
    if (!found) {
      in_.problem(in_.at(kind_node), fmt::format("link kind '{}' is not supported (supported: {})",
                                                 excerpt(*kind), kindList(", ")));
      return std::nullopt;
    }
    link.kind = *found;
    link.options = model::defaultOptions(link.kind);
    const auto shape = model::shapeOf(link.kind);
    const std::string what = fmt::format("{} link", *kind);
    const std::string_view parent_key = model::kindInfo(link.kind).parent_key;
    std::vector<std::string> keys = {"kind", "impair"};
    switch (shape) {
      case model::LinkShape::kPair:
        keys.insert(keys.end(), {"endpoints", "vni"});  // vni: when its ends are on two hosts
        break;
      case model::LinkShape::kStacked:
        keys.insert(keys.end(), {std::string(parent_key), "endpoint"});
        break;
      case model::LinkShape::kStandalone:
        keys.insert(keys.end(), {"endpoint"});
        if (link.kind == model::LinkKind::kBond) {
          keys.insert(keys.end(), {"members", "primary"});  // links of its node, not options
        }
        break;
      case model::LinkShape::kOvsPort:
        keys.insert(keys.end(), {"bridge", "endpoint"});
        break;
      case model::LinkShape::kBridge:
      case model::LinkShape::kForeign:
        break;  // linkKindNamed() offers neither
    }
    const auto option_keys = optionKeys(link.options);
    keys.insert(keys.end(), option_keys.begin(), option_keys.end());
    // The option some kinds cannot do without: a VLAN's id, a VXLAN's vni, a VRF's table.
    bool has_required = false;
    in_.forEachField(
        item, what, keys, [&](const std::string& key, const SourceLoc&, const YamlNode& v) {
          if (key == "endpoints") {
            in_.forEachItem(v, "link endpoints", [&](const YamlNode& e) {
              if (auto endpoint = parseEndpoint(e, "link endpoint")) {
                link.endpoints.push_back(std::move(*endpoint));
              }
            });
          } else if (key == "endpoint") {
            if (auto endpoint = parseEndpoint(v, "link endpoint")) {
              link.endpoints.push_back(std::move(*endpoint));
            }
          } else if (shape == model::LinkShape::kStacked && key == parent_key) {
            link.parent = parseEndpoint(v, fmt::format("{} {}", what, parent_key));
          } else if (key == "peers") {
            link.peers = parsePeers(v, what + " peers");
          } else if (key == "bridge") {
            link.ovs_bridge = in_.string(v, what + " bridge").value_or("");
          } else if (key == "members") {
            in_.forEachItem(v, what + " members", [&](const YamlNode& m) {
              if (auto name = in_.string(m, what + " member")) {
                link.members.emplace_back(*name, in_.at(m));
              }
            });
          } else if (key == "impair") {
            link.impair = parseImpairment(in_, v, what + " impair");
            link.impair_loc = in_.at(v);
          } else if (shape == model::LinkShape::kPair && key == "vni") {
            link.cross_vni = parseVni(v, what);
            link.cross_vni_loc = in_.at(v);
          } else if (key == "primary") {
            if (auto name = in_.string(v, what + " primary")) {
              link.primary = std::pair(*name, in_.at(v));
            }
          } else if (key != "kind") {  // read above
            has_required = has_required || key == "id" || key == "vni" || key == "table";
            parseOption(key, v, what, link.options);
          }
        });
    switch (shape) {
      case model::LinkShape::kPair:
        if (!item["endpoints"]) {
          in_.problem(link.loc, fmt::format("{} has no 'endpoints'", what));
          return std::nullopt;
        }
        return link;
      case model::LinkShape::kOvsPort:
        if (!item["bridge"] || !item["endpoint"]) {
          in_.problem(link.loc, fmt::format("{} needs 'bridge' (an OVS bridge) and 'endpoint' "
                                            "(NODE:IFNAME it is moved to)",
                                            what));
          return std::nullopt;
        }
        return link;
      case model::LinkShape::kStacked:
        if (!item[std::string(parent_key)]) {
          in_.problem(link.loc, fmt::format("{} has no '{}' (NODE:IFNAME it is stacked on)", what,
                                            parent_key));
          return std::nullopt;
        }
        [[fallthrough]];
      case model::LinkShape::kStandalone:
        if (!item["endpoint"]) {
          in_.problem(link.loc, fmt::format("{} has no 'endpoint' (NODE:IFNAME it creates)", what));
          return std::nullopt;
        }
        break;
      case model::LinkShape::kBridge:
      case model::LinkShape::kForeign:
        return std::nullopt;
    }
    if (std::holds_alternative<model::VlanOptions>(link.options) && !has_required) {
      in_.problem(link.loc, "vlan link has no 'id' (1-4094)");
      return std::nullopt;
    }
    if (std::holds_alternative<model::VxlanOptions>(link.options) && !has_required) {
      in_.problem(link.loc, fmt::format("vxlan link has no 'vni' (1-{})", model::kMaxVni));
      return std::nullopt;
    }
    if (std::holds_alternative<model::VrfOptions>(link.options) && !has_required) {
      in_.problem(link.loc,
                  fmt::format("vrf link has no 'table' (1-{}, not {}-{})", model::kMaxVrfTable,
                              model::kFirstReservedTable, model::kLastReservedTable));
      return std::nullopt;
    }
    return link;
  }

  /// The kinds a link may have, from the table of kinds: "veth, macvlan, ... or ovs-internal".
  static std::string kindList(const char* last_separator) {
    std::string out;
    const auto kinds = model::fileLinkKinds();
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      if (i > 0) {
        out += i + 1 == kinds.size() ? last_separator : ", ";
      }
      out += model::toString(kinds[i]);
    }
    return out;
  }

  /// The keys of a kind's options, in the order messages list them.
  static std::vector<std::string> optionKeys(const model::LinkOptions& options) {
    return std::visit(
        Overloaded{
            [](const model::NoOptions&) { return std::vector<std::string>{}; },
            [](const model::MacvlanOptions&) { return std::vector<std::string>{"mode"}; },
            [](const model::IpvlanOptions&) {
              return std::vector<std::string>{"mode", "flag"};
            },
            [](const model::VlanOptions&) {
              return std::vector<std::string>{"id", "protocol"};
            },
            [](const model::VxlanOptions&) {
              return std::vector<std::string>{"vni",   "remote",  "group", "peers",
                                              "local", "dstport", "ttl",   "learning"};
            },
            [](const model::VrfOptions&) { return std::vector<std::string>{"table"}; },
            [](const model::BondOptions&) {
              return std::vector<std::string>{"mode", "miimon"};
            },
        },
        options);
  }

  /// One option key (one of optionKeys()); a bad value is reported and leaves the default.
  void parseOption(const std::string& key, const YamlNode& v, const std::string& what,
                   model::LinkOptions& options) {
    std::visit(
        Overloaded{
            [](model::NoOptions&) {},
            [&](model::MacvlanOptions& o) { choose(v, what + " mode", o.mode); },
            [&](model::IpvlanOptions& o) {
              if (key == "mode") {
                choose(v, what + " mode", o.mode);
              } else {
                choose(v, what + " flag", o.flag);
              }
            },
            [&](model::VlanOptions& o) {
              if (key == "id") {
                o.id = static_cast<std::uint16_t>(in_.integer(v, "vlan id", 1, 4094).value_or(0));
              } else {
                choose(v, what + " protocol", o.protocol);
              }
            },
            [&](model::VxlanOptions& o) { parseVxlanOption(key, v, what, o); },
            [&](model::VrfOptions& o) { o.table = parseVrfTable(v, what); },
            [&](model::BondOptions& o) {
              if (key == "mode") {
                choose(v, what + " mode", o.mode);
              } else {
                o.miimon = static_cast<std::uint32_t>(
                    in_.integer(v, what + " miimon", 0, 0x7fffffff).value_or(0));
              }
            },
        },
        options);
  }

  void parseVxlanOption(const std::string& key, const YamlNode& v, const std::string& what,
                        model::VxlanOptions& o) {
    if (key == "vni") {
      o.vni =
          static_cast<std::uint32_t>(in_.integer(v, what + " vni", 1, model::kMaxVni).value_or(0));
    } else if (key == "dstport") {
      o.dstport =
          static_cast<std::uint16_t>(in_.integer(v, what + " dstport", 1, 65535).value_or(0));
    } else if (key == "ttl") {
      o.ttl = static_cast<std::uint8_t>(in_.integer(v, what + " ttl", 1, 255).value_or(0));
    } else if (key == "learning") {
      o.learning = in_.boolean(v, what + " learning").value_or(true);
    } else {
      auto& address = key == "remote" ? o.remote : key == "group" ? o.group : o.local;
      address = parseAddress(v, fmt::format("{} {}", what, key));
    }
  }

  /// A list of bare addresses, each with its place in the file.
  std::vector<model::Address> parsePeers(const YamlNode& node, const std::string& what) {
    std::vector<model::Address> out;
    in_.forEachItem(node, what, [&](const YamlNode& item) {
      if (auto address = parseAddress(item, what)) {
        out.push_back(model::Address{*address, in_.at(item)});
      }
    });
    return out;
  }

  /// A VRF's routing table: any but the kernel's own default, main and local tables.
  std::uint32_t parseVrfTable(const YamlNode& v, const std::string& what) {
    const auto table = in_.integer(v, what + " table", 1, model::kMaxVrfTable);
    if (!table) {
      return 0;
    }
    if (*table >= model::kFirstReservedTable && *table <= model::kLastReservedTable) {
      in_.problem(in_.at(v), fmt::format("{} table {} is one of the kernel's own tables (253 "
                                         "default, 254 main, 255 local); take another",
                                         what, *table));
      return 0;
    }
    return static_cast<std::uint32_t>(*table);
  }

  /// `hosts:` as a mapping: NAME: {address, interface, mtu}.
  void parseLabHosts(const YamlNode& node, model::Topology& topology) {
    in_.forEachEntry(
        node, "hosts", [&](const std::string& name, const SourceLoc& loc, const YamlNode& value) {
          model::LabHost host;
          host.name = name;
          host.loc = loc;
          const std::string what = fmt::format("host '{}'", excerpt(name));
          bool has_address = false;
          in_.forEachField(value, what, {"address", "interface", "mtu"},
                           [&](const std::string& key, const SourceLoc&, const YamlNode& v) {
                             if (key == "address") {
                               has_address = true;
                               host.address_loc = in_.at(v);
                               if (auto ip = parseAddress(v, what + " address")) {
                                 host.address = *ip;
                               }
                             } else if (key == "interface") {
                               host.interface = in_.string(v, what + " interface");
                             } else if (key == "mtu") {
                               if (auto mtu = parseMtu(v, what)) {
                                 host.mtu = *mtu;
                               }
                             }
                           });
          if (!has_address) {
            in_.problem(loc, fmt::format("{} has no 'address' (its underlay address, where the "
                                         "other hosts send its tunnels' packets)",
                                         what));
          }
          topology.lab_hosts.emplace(name, std::move(host));
        });
  }

  /// `vni_range: [FIRST, LAST]`.
  void parseVniRange(const YamlNode& node, const SourceLoc& loc, model::VniRange& out) {
    out.loc = loc;
    if (!node.IsSequence() || node.size() != 2) {
      in_.problem(in_.at(node).known() ? in_.at(node) : loc,
                  fmt::format("vni_range must be [FIRST, LAST], two VNIs of 1-{}", model::kMaxVni));
      return;
    }
    const auto first = in_.integer(node[0], "vni_range first", 1, model::kMaxVni);
    const auto last = in_.integer(node[1], "vni_range last", 1, model::kMaxVni);
    if (!first || !last) {
      return;
    }
    if (*first > *last) {
      in_.problem(in_.at(node), fmt::format("vni_range [{}, {}]: the first VNI is above the last",
                                            *first, *last));
      return;
    }
    out.first = static_cast<std::uint32_t>(*first);
    out.last = static_cast<std::uint32_t>(*last);
  }

  std::optional<std::uint32_t> parseVni(const YamlNode& v, const std::string& what) {
    const auto vni = in_.integer(v, what + " vni", 1, model::kMaxVni);
    if (!vni) {
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(*vni);
  }

  /// A bare address ("192.0.2.1", "2001:db8::1"), reported when it is not one.
  std::optional<IpAddress> parseAddress(const YamlNode& v, const std::string& what) {
    const auto text = in_.string(v, what);
    if (!text) {
      return std::nullopt;
    }
    auto address = parseIp(*text);
    if (!address) {
      in_.problem(in_.at(v), fmt::format("{} '{}' is not an IPv4 or IPv6 address (without a "
                                         "prefix)",
                                         what, excerpt(*text)));
    }
    return address;
  }

  /// An option enum from the file's words (model::optionChoices), reported when it is none.
  template <class Enum>
  void choose(const YamlNode& node, const std::string& what, Enum& out) {
    const auto word = parseChoice(node, what, model::optionChoices<Enum>());
    if (const auto value = model::optionNamed<Enum>(word)) {
      out = *value;
    }
  }

  std::string parseChoice(const YamlNode& node, const std::string& what,
                          const std::vector<std::string>& choices) {
    const auto text = in_.string(node, what);
    if (!text) {
      return {};
    }
    for (const auto& choice : choices) {
      if (*text == choice) {
        return choice;
      }
    }
    std::string message =
        fmt::format("{} '{}' is not one of {}", what, excerpt(*text), fmt::join(choices, ", "));
    if (auto hint = closestMatch(*text, choices)) {
      message += fmt::format(" (did you mean '{}'?)", *hint);
    }
    in_.problem(in_.at(node), message);
    return {};
  }

  std::optional<model::Endpoint> parseEndpoint(const YamlNode& node, const std::string& what) {
    const auto text = in_.string(node, what);
    if (!text) {
      return std::nullopt;
    }
    const auto colon = text->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text->size()) {
      in_.problem(in_.at(node), fmt::format("{} '{}' must be written NODE:IFNAME or "
                                            "BRIDGE:IFNAME",
                                            what, excerpt(*text)));
      return std::nullopt;
    }
    return model::Endpoint{text->substr(0, colon), text->substr(colon + 1), false, in_.at(node)};
  }

  FieldReader in_;
  std::string file_;
  NodeDefaults defaults_;
  SourceLoc defaults_loc_;
  WrittenInterfaceKeys written_;
  std::map<std::string, std::pair<std::string, SourceLoc>> node_keys_;  ///< name -> key, place
  std::int64_t range_instances_ = 0;  ///< of the node ranges, and of the link ranges read so far
  bool ranges_refused_ = false;       ///< too many instances: no range is read after that
};

/// yaml-cpp's own words. A few of its messages end in text from the file after ": " ("bad YAML
/// version: ..."), which is cut like any other quote from the file.
std::string yamlMessage(const YAML::Exception& error) {
  const auto colon = error.msg.find(": ");
  if (colon == std::string::npos) {
    return excerpt(error.msg, 2 * kMaxQuotedChars);
  }
  return excerpt(std::string_view(error.msg).substr(0, colon)) + ": " +
         excerpt(std::string_view(error.msg).substr(colon + 2));
}

SourceLoc yamlErrorPlace(const YAML::Exception& error, const std::string& file) {
  if (error.mark.line < 0) {
    return SourceLoc{file, 1, 1};
  }
  return SourceLoc{file, error.mark.line + 1, error.mark.column + 1};
}

}  // namespace

LoadResult parseTopology(const std::string& text, const std::string& file) {
  LoadResult result;
  result.topology.file = file;
  if (auto problem = precheckText(text, file)) {
    result.problems.push_back(std::move(*problem));
    return result;
  }
  YamlTree tree;
  try {
    tree = YamlTree::parse(text);
  } catch (const YAML::DeepRecursion& error) {
    // Block nesting (flow nesting is refused earlier, with its place): yaml-cpp gives up at
    // about 500 levels and reports where it stopped reading.
    result.problems.push_back(Error{ErrorKind::kInvalidTopology,
                                    "YAML nesting is too deep for the parser",
                                    yamlErrorPlace(error, file), 0});
    return result;
  } catch (const YAML::Exception& error) {
    const SourceLoc place = yamlErrorPlace(error, file);
    result.problems.push_back(
        Error{ErrorKind::kInvalidTopology,
              fmt::format("YAML syntax: {}{}", yamlMessage(error), syntaxHint(text, place.line)),
              place, 0});
    return result;
  }
  const YamlNode root = tree.root();
  if (root.IsNull()) {
    const bool blank = std::all_of(text.begin(), text.end(), [](char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    });
    const bool only_comments = !blank && text.find_first_not_of(" \t\r\n") != std::string::npos &&
                               text[text.find_first_not_of(" \t\r\n")] == '#';
    result.problems.push_back(Error{ErrorKind::kInvalidTopology,
                                    blank || only_comments
                                        ? "the file is empty; a topology needs at least 'name' "
                                          "and 'nodes'"
                                        : "the topology must be a mapping with at least 'name' "
                                          "and 'nodes'",
                                    SourceLoc{file, 1, 1}, 0});
    return result;
  }
  try {
    TopologyParser parser(file, result.problems);
    result.topology = parser.parse(root);
    model::resolveEndpoints(result.topology);
    parser.applyDefaults(result.topology);
  } catch (const TooManyYamlValues&) {
    result.topology = model::Topology{};
    result.topology.file = file;
    result.problems.assign(
        1, Error{ErrorKind::kInvalidTopology,
                 fmt::format("the file expands to more than {} values through YAML aliases or "
                             "ranges; a topology needs far fewer",
                             kMaxYamlValues),
                 SourceLoc{file, 1, 1}, 0});
  }
  return result;
}

LoadResult checkTopologyText(const std::string& text, const std::string& file,
                             const LoadOptions& options) {
  LoadResult result = parseTopology(text, file);
  if (result.problems.empty()) {
    result.problems = model::validate(result.topology, options.validation);
  }
  if (result.problems.empty()) {
    result.warnings = model::advise(result.topology);
  }
  return result;
}

LoadResult loadTopologyFile(const std::string& path, const LoadOptions& options) {
  auto text = readBounded(path, kMaxFileBytes, options.follow_symlinks);
  if (!text) {
    LoadResult result;
    result.problems.push_back(std::move(text.error()));
    return result;
  }
  return checkTopologyText(*text, path, options);
}

}  // namespace nstopo::parse
