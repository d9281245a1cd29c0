// SPDX-License-Identifier: Apache-2.0
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "nstopo/version.h"

#include "commands.h"
#include "run_cli.h"
#include "runtime_commands.h"

namespace {

/// A large lab keeps two descriptors per namespace open (its file and a netlink socket).
void raiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nstopo: declarative network-namespace topologies"};
  app.set_version_flag("--version",
                       fmt::format("nstopo {} ({})", nstopo::kVersion, nstopo::kGitRevision));
  app.require_subcommand(1);
  // Global options may also follow the command (`nstopo apply --untrusted lab.yaml`).
  app.fallthrough();
  bool verbose = false;
  bool no_color = false;
  std::string log_level = "warn";
  app.add_flag("-v,--verbose", verbose, "Log what nstopo does (same as --log-level debug)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag("--no-color", no_color, "Plain output even on a terminal");
  nstopo::cli::GlobalOptions global;
  app.add_option("--ovsdb", global.ovsdb,
                 "OVSDB socket, unix:PATH (default: $NSTOPO_OVSDB, the system socket when it "
                 "answers, else the one of `nstopo ovs start`)");

  app.add_flag("--follow-symlinks", global.load.follow_symlinks,
               "Read a topology file that is a symbolic link (refused by default)");
  app.add_flag("--untrusted", global.load.validation.untrusted,
               "The file comes from someone else (a pull request in CI): refuse every object in "
               "host (also NSTOPO_UNTRUSTED=1)");
  // Size caps of a file, checked by the validator of every command that reads one.
  auto& limits = global.load.validation.limits;
  const CLI::Validator kCount(
      [](const std::string& text) {
        const bool digits = !text.empty() && text.size() <= 18 &&
                            text.find_first_not_of("0123456789") == std::string::npos;
        return digits ? std::string{} : "'" + text + "' is not a whole number of 0 or more";
      },
      "COUNT");
  app.add_option("--max-namespaces", limits.namespaces, "Most namespaces a file may ask for")
      ->check(kCount)
      ->capture_default_str();
  app.add_option("--max-links", limits.links, "Most entries of `links` a file may have")
      ->check(kCount)
      ->capture_default_str();
  app.add_option("--max-addresses", limits.addresses, "Most addresses a file may ask for")
      ->check(kCount)
      ->capture_default_str();
  app.add_option("--max-routes", limits.routes, "Most routes a file may ask for")
      ->check(kCount)
      ->capture_default_str();
  app.add_option("--max-probes", limits.probes, "Most probes `verify` may run for a file")
      ->check(kCount)
      ->capture_default_str();

  nstopo::cli::TargetOptions target;
  std::string file;
  bool detailed_exitcode = false;
  const auto add_json = [&](CLI::App* command) {
    command->add_flag("--json", global.json, "Machine-readable output");
  };

  auto* validate = app.add_subcommand("validate", "Parse and check a topology file");
  validate->add_option("FILE", file, "Topology file")->required();
  add_json(validate);

  auto* expand =
      app.add_subcommand("expand", "Print the file with its ranges and defaults written out");
  expand->add_option("FILE", file, "Topology file")->required();

  auto* split = app.add_subcommand(
      "split", "Write one single-host file per machine of a lab with hosts: (DIR/HOST.yaml)");
  split->add_option("FILE", file, "Topology file")->required();
  std::string split_dir;
  split->add_option("-o,--output", split_dir, "Directory for the files (created if missing)")
      ->required();
  add_json(split);
  // --host: this machine's part of a lab with hosts:, built in memory as `split` writes it.
  const auto add_host = [&](CLI::App* command) {
    command->add_option("--host", global.host,
                        "Act on this host's part of a lab with hosts: (docs/multi-host.md)");
  };

  auto* plan = app.add_subcommand("plan", "Show what apply would change");
  plan->add_option("FILE", file, "Topology file")->required();
  plan->add_flag("--detailed-exitcode", detailed_exitcode,
                 "Exit 0 when nothing would change, 2 when something would");
  add_json(plan);
  add_host(plan);

  auto* apply = app.add_subcommand("apply", "Make the machine match the file");
  apply->add_option("FILE", file, "Topology file")->required();
  bool adopt = false;
  apply->add_flag("--adopt", adopt,
                  "Take over the unmarked objects the file names (listed first) instead of "
                  "refusing them");
  add_json(apply);
  add_host(apply);

  auto* destroy = app.add_subcommand("destroy", "Remove everything the lab owns");
  auto* destroy_file = destroy->add_option("FILE", target.file, "Topology file");
  destroy->add_option("--lab", target.lab, "Lab name (works without the file)")
      ->excludes(destroy_file);
  add_json(destroy);
  add_host(destroy);

  auto* show = app.add_subcommand("show", "Show the lab's live objects and drift from the file");
  auto* show_file = show->add_option("FILE", target.file, "Topology file");
  show->add_option("--lab", target.lab, "Lab name (works without the file)")->excludes(show_file);
  add_json(show);
  add_host(show);

  auto* list = app.add_subcommand("list", "List the labs present on this machine");
  add_json(list);

  nstopo::cli::VerifyOptions verify_options;
  auto* verify = app.add_subcommand("verify", "Check the file's reachability expectations");
  verify->add_option("FILE", file, "Topology file")->required();
  verify->add_option("--count", verify_options.count, "Echo requests per ICMP probe")
      ->check(CLI::Range(1, 10));
  verify->add_option("--timeout-ms", verify_options.timeout_ms, "Per request or connect")
      ->check(CLI::Range(50, 10000));
  verify
      ->add_option("--format", verify_options.format,
                   "text (a matrix) or html (the lab's HTML view, failed pairs in red)")
      ->check(CLI::IsMember({"text", "html"}));
  verify->add_option("-o,--output", verify_options.output, "html: write to this file");
  add_json(verify);
  add_host(verify);

  nstopo::cli::ExecOptions exec_options;
  auto* exec = app.add_subcommand("exec", "Run a command inside a node's namespace");
  exec->add_option("NODE", exec_options.node, "Node of the lab")->required();
  auto* exec_lab = exec->add_option("--lab", exec_options.lab, "Lab name");
  exec->add_option("--file", exec_options.file, "Topology file (gives the lab name)")
      ->excludes(exec_lab);
  exec->add_option("COMMAND", exec_options.command, "Command and arguments, after --")->required();

  nstopo::cli::LogsOptions logs_options;
  std::vector<std::string> logs_args;
  auto* logs = app.add_subcommand("logs", "Print what a node's exec commands and services wrote");
  logs->add_option("ARGS", logs_args, "[FILE] NODE[.SERVICE]")->required()->expected(1, 2);
  logs->add_option("--lab", logs_options.lab, "Lab name (works without the file)");
  logs->add_flag("-f,--follow", logs_options.follow, "Keep printing what is appended (^C ends)");

  const auto run = nstopo::cli::addRunCommand(app, global);
  const auto shell = nstopo::cli::addShellCommand(app, global);

  nstopo::cli::BenchOptions bench_options;
  auto* bench = app.add_subcommand("bench", "Measure the data plane between two nodes");
  bench->add_option("FILE", bench_options.file, "Topology file")->required();
  bench->add_option("--from", bench_options.from, "Sending node")->required();
  bench->add_option("--to", bench_options.to, "Receiving node, NODE:IFNAME or address")->required();
  bench->add_option("--duration", bench_options.duration_s, "Seconds per measurement")
      ->check(CLI::Range(1, 30));
  add_json(bench);

  nstopo::cli::GraphOptions graph_options;
  auto* graph = app.add_subcommand("graph", "Draw the topology");
  auto* graph_file = graph->add_option("FILE", graph_options.file, "Topology file");
  graph->add_option("--lab", graph_options.lab, "A lab on this machine, drawn as it is (html)")
      ->excludes(graph_file);
  graph->add_option("--format", graph_options.format, "dot, mermaid, svg or html")
      ->check(CLI::IsMember({"dot", "mermaid", "svg", "html"}));
  graph->add_option("-o,--output", graph_options.output, "Write to this file, not stdout");
  auto* graph_live = graph->add_flag_callback(
      "--live", [&] { graph_options.live = "on"; },
      "html: show the live state, down interfaces and drift (default when the lab is here)");
  graph
      ->add_flag_callback(
          "--no-live", [&] { graph_options.live = "off"; }, "html: draw the file only")
      ->excludes(graph_live);
  graph->add_option("--verify", graph_options.verify_json,
                    "html: overlay this output of `nstopo verify --json` (failed pairs in red)");

  std::string ovs_action;
  auto* ovs = app.add_subcommand("ovs", "Manage a private Open vSwitch under /run/nstopo/ovs");
  ovs->add_option("ACTION", ovs_action, "start, stop or status")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "status"}));
  add_json(ovs);

  bool dry_run = false;
  auto* gc = app.add_subcommand("gc", "Remove objects of labs that lost their record");
  gc->add_flag("--dry-run", dry_run, "Only show what would be removed");
  add_json(gc);

  nstopo::generate::Request generate_request;
  std::string generate_output;
  auto* generate = app.add_subcommand(
      "generate",
      "Write a topology file for a common shape (star, chain, ring, full-mesh, tree, "
      "leaf-spine, fat-tree)");
  generate->add_option("TYPE", generate_request.type, "The shape")->required();
  // Sizes are checked by the generator (one line naming the type), so they are plain numbers here.
  std::map<std::string, std::pair<int, CLI::Option*>> sizes;
  const auto add_size = [&](const std::string& names, const std::string& help) {
    const auto key = names.substr(names.rfind('-') + 1);
    auto& slot = sizes[key];
    slot.second = generate->add_option(names, slot.first, help);
  };
  add_size("-n,--nodes", "star: hosts; chain, ring, full-mesh: routers (default 4)");
  add_size("--depth", "tree: levels below the root (default 2)");
  add_size("--fanout", "tree: children of each router (default 2)");
  add_size("--spines", "leaf-spine: spine switches (default 2)");
  add_size("--leaves", "leaf-spine: leaf switches (default 4)");
  add_size("--hosts", "leaf-spine: hosts per leaf (default 2)");
  add_size("-k", "fat-tree: ports per switch, even (default 4)");
  generate->add_option("--family", generate_request.family, "ipv4 (default), ipv6 or dual (both)")
      ->check(CLI::IsMember({"ipv4", "ipv6", "dual"}));
  generate->add_option("--pool4", generate_request.pool4, "IPv4 subnets come from here")
      ->capture_default_str();
  generate->add_option("--pool6", generate_request.pool6, "IPv6 subnets come from here")
      ->capture_default_str();
  generate
      ->add_option("--link", generate_request.link,
                   "star: veth (Linux bridge, default), ovs-veth or ovs-internal (Open vSwitch)")
      ->check(CLI::IsMember({"veth", "ovs-veth", "ovs-internal"}));
  generate
      ->add_option("--routing", generate_request.routing,
                   "static (default: shortest-path routes) or none")
      ->check(CLI::IsMember({"static", "none"}));
  generate->add_option("--name", generate_request.name, "The lab's name (default: the type)");
  generate->add_option("--prefix", generate_request.prefixes,
                       "ROLE=TEXT: name prefix of a role's nodes (host=h, router=r, spine, leaf, "
                       "core, agg, edge, switch=sw); repeatable");
  generate
      ->add_option("--schema", generate_request.schema,
                   "The schema the modeline names (path or URL)")
      ->capture_default_str();
  generate->add_option("-o,--output", generate_output, "Write to this file, not stdout");

  nstopo::importer::Request import_request;
  std::string import_schema = nstopo::generate::kDefaultSchema;
  auto* import_command = app.add_subcommand(
      "import", "Print a topology file that builds these live namespaces and bridges");
  import_command->add_option("--netns", import_request.netns, "Namespaces to import, each a node")
      ->required();
  import_command->add_option("--bridge", import_request.bridges,
                             "Linux bridges of the host namespace to import");
  import_command->add_option("--ovs-bridge", import_request.ovs_bridges,
                             "Open vSwitch bridges to import");
  import_command->add_option("--name", import_request.name, "The lab's name")
      ->capture_default_str();
  import_command
      ->add_option("--schema", import_schema, "The schema the modeline names (path or URL)")
      ->capture_default_str();

  const auto run_runtime_command = nstopo::cli::addRuntimeCommands(app, global);

  CLI11_PARSE(app, argc, argv);
  // A CI job can set this once for every step; any value but empty or 0 turns the mode on.
  if (const char* untrusted = std::getenv("NSTOPO_UNTRUSTED");
      untrusted != nullptr && *untrusted != '\0' && std::string(untrusted) != "0") {
    global.load.validation.untrusted = true;
  }

  auto logger = spdlog::stderr_color_mt("nstopo");
  spdlog::set_default_logger(logger);
  // Verbose runs show times, to see where a run spends them.
  spdlog::set_pattern(verbose ? "%^%l%$ %H:%M:%S.%e: %v" : "%^%l%$: %v");
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::from_str(log_level));
  global.color = !no_color && isatty(STDOUT_FILENO) != 0;
  global.progress = isatty(STDERR_FILENO) != 0 && !global.json;
  raiseFileLimit();

  if ((destroy->parsed() || show->parsed()) && target.file.empty() && target.lab.empty()) {
    fmt::print(stderr, "error: give a topology FILE or --lab NAME\n");
    return 1;
  }
  if (const auto code = run_runtime_command()) {
    return *code;
  }
  if (validate->parsed()) {
    return nstopo::cli::runValidate(global, file);
  }
  if (expand->parsed()) {
    return nstopo::cli::runExpand(global, file);
  }
  if (import_command->parsed()) {
    return nstopo::cli::runImport(global, import_request, import_schema);
  }
  if (split->parsed()) {
    return nstopo::cli::runSplit(global, file, split_dir);
  }
  if (plan->parsed()) {
    return nstopo::cli::runPlan(global, file, detailed_exitcode);
  }
  if (apply->parsed()) {
    return nstopo::cli::runApply(global, file, adopt);
  }
  if (destroy->parsed()) {
    return nstopo::cli::runDestroy(global, target);
  }
  if (show->parsed()) {
    return nstopo::cli::runShow(global, target);
  }
  if (exec->parsed()) {
    if (exec_options.lab.empty() && exec_options.file.empty()) {
      fmt::print(stderr, "error: give --lab NAME or --file FILE to find the node\n");
      return 1;
    }
    return nstopo::cli::runExec(global, exec_options);
  }
  if (run.subcommand->parsed()) {
    return run.run();
  }
  if (shell.subcommand->parsed()) {
    return shell.run();
  }
  if (logs->parsed()) {
    const bool by_lab = !logs_options.lab.empty();
    if (logs_args.size() != (by_lab ? 1U : 2U)) {
      fmt::print(stderr, "error: give FILE NODE[.SERVICE], or --lab NAME NODE[.SERVICE]\n");
      return 1;
    }
    if (!by_lab) {
      logs_options.file = logs_args.front();
    }
    logs_options.selector = logs_args.back();
    return nstopo::cli::runLogs(global, logs_options);
  }
  if (bench->parsed()) {
    return nstopo::cli::runBench(global, bench_options);
  }
  if (graph->parsed()) {
    if (graph_options.file.empty() && graph_options.lab.empty()) {
      fmt::print(stderr, "error: give a topology FILE or --lab NAME\n");
      return 1;
    }
    if (graph_options.format != "html" &&
        (graph_options.file.empty() || graph_options.live != "auto" ||
         !graph_options.verify_json.empty())) {
      fmt::print(stderr, "error: --lab, --live, --no-live and --verify need --format html\n");
      return 1;
    }
    return nstopo::cli::runGraph(global, graph_options);
  }
  if (verify->parsed()) {
    return nstopo::cli::runVerify(global, file, verify_options);
  }
  if (ovs->parsed()) {
    return nstopo::cli::runOvs(global, ovs_action);
  }
  if (generate->parsed()) {
    const auto given = [&](const char* key) {
      const auto& slot = sizes[key];
      return slot.second->count() > 0 ? std::optional(slot.first) : std::nullopt;
    };
    generate_request.nodes = given("nodes");
    generate_request.depth = given("depth");
    generate_request.fanout = given("fanout");
    generate_request.spines = given("spines");
    generate_request.leaves = given("leaves");
    generate_request.hosts = given("hosts");
    generate_request.k = given("k");
    return nstopo::cli::runGenerate(generate_request, generate_output);
  }
  if (gc->parsed()) {
    return nstopo::cli::runGc(global, dry_run);
  }
  return nstopo::cli::runList(global);
}
