// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/app/graph_page_data.h"
#include "nstopo/app/records.h"
#include "nstopo/generate/generate.h"
#include "nstopo/importer/importer.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/plan.h"
#include "nstopo/state/state.h"

namespace nstopo::cli {

struct GlobalOptions {
  std::string ovsdb;  ///< --ovsdb: "unix:PATH", empty for the default
  bool json = false;
  bool color = false;  ///< resolved: on a terminal and not --no-color
  bool progress = false;
  parse::LoadOptions load;  ///< how every command reads and checks a topology file
  /// --host of plan, apply, show, verify and destroy: this machine's part of a lab with hosts:
  std::string host;
};

struct TargetOptions {
  std::string file;
  std::string lab;
};

struct VerifyOptions {
  int count = 2;          ///< echo requests per ICMP probe before it counts as unreachable
  int timeout_ms = 1000;  ///< per echo request or TCP connect
  std::size_t parallel = 8;
  std::string format = "text";  ///< text (the matrix) or html (the HTML view with the matrix)
  std::string output;           ///< html: write here instead of stdout
};

struct GraphOptions {
  std::string file;
  std::string lab;  ///< --lab: a lab on this machine (html only), drawn as it is there
  std::string format = "dot";
  std::string output;  ///< -o: write here instead of stdout
  /// html: "on" (--live), "off" (--no-live), or "auto": live when the lab is here
  std::string live = "auto";
  std::string verify_json;  ///< html: `nstopo verify --json` output to overlay
};

struct ExecOptions {
  std::string node;
  std::string lab;
  std::string file;
  std::vector<std::string> command;
};

struct LogsOptions {
  std::string file;
  std::string lab;
  std::string selector;  ///< NODE or NODE.SERVICE
  bool follow = false;
};

struct BenchOptions {
  std::string file;
  std::string from;
  std::string to;
  int duration_s = 2;
};

/// Each returns the process exit code: 0 success, 1 error, 2 changes pending
/// (plan --detailed-exitcode), 3 apply failed and its rollback left objects behind.
int runValidate(const GlobalOptions& global, const std::string& file);
/// `nstopo expand FILE`: the file with its `defaults:` written out into every node.
int runExpand(const GlobalOptions& global, const std::string& file);
/// `nstopo split FILE -o DIR`: DIR/HOST.yaml, one ordinary single-host file per machine of the
/// file's `hosts:` (docs/multi-host.md).
int runSplit(const GlobalOptions& global, const std::string& file, const std::string& dir);
int runPlan(const GlobalOptions& global, const std::string& file, bool detailed_exitcode);
/// With `adopt`, takes over the unmarked objects the file names (listed on stderr first).
int runApply(const GlobalOptions& global, const std::string& file, bool adopt = false);
int runDestroy(const GlobalOptions& global, const TargetOptions& target);
/// The SIGINT or SIGTERM an apply or destroy of this process caught (they stop it at the next
/// phase), 0 when none came; cleared, so a later destroy is not stopped by it. `run` asks after
/// its apply: one that came after the apply's last look must still stop the run.
[[nodiscard]] int takeInterruptingSignal();
/// Catches SIGINT and SIGTERM for this process: apply, destroy, a flap and a scenario stop at
/// their next step (and put back what they changed) instead of being killed.
void catchInterrupts();
/// True once SIGINT or SIGTERM came (without clearing it).
[[nodiscard]] bool interruptPending();
/// What `apply` does once the file is read; `run_id` (`nstopo run`, else empty) goes into the
/// lab's journal and record.
int applyTopology(const GlobalOptions& global, const model::Topology& topology,
                  const std::string& file, bool adopt, const std::string& run_id);
/// What `destroy` does for a lab. With `still_ours`, it is asked once the lab's lock is held,
/// before anything is read: false leaves the lab as it is (exit 0).
int destroyLab(const GlobalOptions& global, const std::string& lab,
               const std::function<bool(const app::RecordStore&)>& still_ours);
int runShow(const GlobalOptions& global, const TargetOptions& target);
int runList(const GlobalOptions& global);
/// Probes the file's `verify:` expectations from inside the lab; 0 only if all hold.
int runVerify(const GlobalOptions& global, const std::string& file, const VerifyOptions& options);
/// Runs a command inside a node's namespace (argument vector, no shell); its exit code is ours.
int runExec(const GlobalOptions& global, const ExecOptions& options);
/// Prints the logs of a node's programs (NODE: all of them, NODE.SERVICE: one), --follow: and
/// what is appended to it until ^C.
int runLogs(const GlobalOptions& global, const LogsOptions& options);
/// TCP stream (iperf3) and TCP_RR/TCP_CRR/UDP_RR rates between two nodes; bounded in time.
int runBench(const GlobalOptions& global, const BenchOptions& options);
/// Prints the topology as Graphviz dot, Mermaid, SVG through Graphviz, or the HTML view.
int runGraph(const GlobalOptions& global, const GraphOptions& options);
/// The HTML view (graph_html_command.cpp): one self-contained page, live when the lab is here.
int runGraphHtml(const GlobalOptions& global, const GraphOptions& options);
/// The HTML view with `verify` pairs already in hand (`verify --format html`); 0 when written.
int writeHtmlView(const GlobalOptions& global, const GraphOptions& options,
                  std::vector<app::VerifyPair> verify);

/// What `show` reads: the lab's live objects and, given its file, the drift (the plan apply
/// would run). `show` and the HTML view both use it, so they show the same diff. Nullopt after
/// printing why not.
struct LiveLab {
  state::State live;
  std::optional<plan::Plan> drift;
};

[[nodiscard]] std::optional<LiveLab> readLiveLab(const GlobalOptions& global,
                                                 const std::string& lab,
                                                 const model::Topology* topology);
/// Removes what labs left behind without a record (a lost /run/nstopo, a killed run) and
/// records of labs with nothing left on the machine.
int runGc(const GlobalOptions& global, bool dry_run);
/// `nstopo generate TYPE`: writes the generated topology file to `output` (stdout when empty
/// or "-"); 1 with one line on stderr when the request is wrong.
int runGenerate(const generate::Request& request, const std::string& output);
/// `nstopo import`: prints a topology file that builds the namespaces and bridges `request`
/// names as they are on this machine; what it cannot write goes to stderr and into comments.
int runImport(const GlobalOptions& global, const importer::Request& request,
              const std::string& schema);
/// `nstopo ovs start|stop|status`: a private Open vSwitch under /run/nstopo/ovs.
int runOvs(const GlobalOptions& global, const std::string& action);

}  // namespace nstopo::cli
