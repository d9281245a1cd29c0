// SPDX-License-Identifier: Apache-2.0
// `nstopo graph --format html`: the lab as one self-contained page, with its live state when the
// lab is on this machine.
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/app/graph_page_data.h"
#include "nstopo/app/html_page.h"
#include "nstopo/core/names.h"
#include "nstopo/state/desired.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/privileges.h"

#include "commands.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

/// The overlay `--verify FILE` names: what `nstopo verify --json` printed.
std::optional<std::vector<app::VerifyPair>> readVerify(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    printError(Error{ErrorKind::kInvalidTopology,
                     fmt::format("--verify: cannot read {}", printable(path)),
                     {},
                     0});
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    return app::verifyPairsFromJson(nlohmann::json::parse(text.str()));
  } catch (const nlohmann::json::exception& error) {
    printError(Error{ErrorKind::kInvalidTopology,
                     fmt::format("--verify: {} is not the output of `nstopo verify --json`: {}",
                                 printable(path), error.what()),
                     {},
                     0});
    return std::nullopt;
  }
}

std::string utcNow() {
  return fmt::format(
      "{:%Y-%m-%d %H:%M:%S} UTC",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

}  // namespace

int runGraphHtml(const GlobalOptions& global, const GraphOptions& options) {
  std::vector<app::VerifyPair> verify;
  if (!options.verify_json.empty()) {
    auto pairs = readVerify(options.verify_json);
    if (!pairs) {
      return 1;
    }
    verify = std::move(*pairs);
  }
  return writeHtmlView(global, options, std::move(verify));
}

int writeHtmlView(const GlobalOptions& global, const GraphOptions& options,
                  std::vector<app::VerifyPair> verify) {
  const auto target = resolveTarget(global, {options.file, options.lab});
  if (!target) {
    return 1;
  }
  app::PageSources sources;
  sources.verify = std::move(verify);
  const bool has_file = target->topology.has_value();
  if (options.live == "off" && !has_file) {
    printError(Error{ErrorKind::kInvalidTopology,
                     "--no-live: a lab named without its file can only be drawn live",
                     {},
                     0});
    return 1;
  }
  // Without --live or --no-live: live only where it can be, as root (reading the lab's
  // namespaces needs it) and when a node of the file exists here; else the file alone, without
  // reading anything (a lab with OVS bridges that is not here would need an OVSDB to say so).
  const bool required = options.live == "on" || !has_file;
  const auto lab_is_here = [&] {
    for (const auto& [name, node] : target->topology->nodes) {
      if (name != model::kHostNode && sys::namedNetnsExists(name)) {
        return true;
      }
    }
    return false;
  };
  const bool try_live =
      required || (options.live == "auto" && sys::checkPrivileges().has_value() && lab_is_here());
  std::optional<LiveLab> read;
  if (try_live) {
    read = readLiveLab(global, target->lab, has_file ? &*target->topology : nullptr);
    if (!read) {
      return 1;
    }
    if (read->live.netns.empty()) {
      if (required) {
        printError(Error{ErrorKind::kConflict,
                         fmt::format("lab '{}' has no live objects on this machine", target->lab),
                         {},
                         0});
        return 1;
      }
      read.reset();
    }
  }
  state::State desired;
  if (target->topology) {
    desired = state::desiredState(*target->topology);
    sources.shown = &desired;
    sources.source = "file " + target->topology->file;
  } else {
    sources.shown = &read->live;
    sources.source = "lab " + target->lab + " as found on this machine";
  }
  if (read) {
    sources.live = &read->live;
    sources.drift = read->drift ? &*read->drift : nullptr;
    sources.read_at = utcNow();
  }
  auto data = app::pageData(sources);
  if (data["lab"].get<std::string>().empty()) {
    data["lab"] = target->lab;
  }
  return writeOutput(options.output, app::htmlPage(data)) ? 0 : 1;
}

}  // namespace nstopo::cli
