# SPDX-License-Identifier: Apache-2.0
# bash completion for nstopo: source it, or install it as /usr/share/bash-completion/completions/nstopo

# Labs with a record under /run/nstopo (the lock and the private OVS are not labs).
_nstopo_labs() {
  local dir
  for dir in /run/nstopo/*/; do
    dir=${dir%/}
    dir=${dir##*/}
    [[ $dir == "*" || $dir == ovs ]] || echo "$dir"
  done
}

# Nodes: the namespaces under /run/netns, and host.
_nstopo_nodes() {
  echo host
  ls /run/netns 2>/dev/null
}

# Topology files, and directories to walk into on the way to one.
_nstopo_topology_files() {
  compgen -f -X '!*.y*ml' -- "$1"
  compgen -d -- "$1"
}

_nstopo() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }
  local commands="validate expand split plan apply destroy show list gc verify exec run shell logs link impair run-scenario bench graph generate import ovs"
  local globals="-v --verbose --log-level --no-color --ovsdb --follow-symlinks --untrusted --max-namespaces --max-links --max-addresses --max-routes --max-probes --version -h --help"
  local -a yaml_files
  local command="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case " $commands " in *" $word "*) command=$word; break ;; esac
  done
  # After `exec ... --` or `run ... --`, complete the command to run.
  if [[ $command == exec || $command == run ]]; then
    for ((i = 1; i < COMP_CWORD; i++)); do
      if [[ ${COMP_WORDS[i]} == -- ]]; then
        if declare -F _command_offset >/dev/null; then
          _command_offset $((i + 1))
        else
          COMPREPLY=($(compgen -c -- "$cur" | sort -u))
        fi
        return
      fi
    done
  fi
  case "$prev" in
    --log-level) COMPREPLY=($(compgen -W "trace debug info warn error off" -- "$cur")); return ;;
    --format)
      if [[ $command == verify ]]; then
        COMPREPLY=($(compgen -W "text html" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "dot mermaid svg html" -- "$cur"))
      fi
      return ;;
    --lab) COMPREPLY=($(compgen -W "$(_nstopo_labs)" -- "$cur")); return ;;
    --netns) COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{print $1}')" -- "$cur")); return ;;
    --bridge|--ovs-bridge) return ;;
    --from|--to|--in) COMPREPLY=($(compgen -W "$(_nstopo_nodes)" -- "$cur")); return ;;
    --file) mapfile -t COMPREPLY < <(_nstopo_topology_files "$cur"); return ;;
    --count|--timeout-ms|--duration|--ovsdb|--max-*|--host) return ;;
    --down|--up|--delay|--jitter|--loss|--duplicate|--corrupt|--reorder|--gap|--rate|--limit) return ;;
    --distribution) COMPREPLY=($(compgen -W "normal pareto paretonormal" -- "$cur")); return ;;
    --family) COMPREPLY=($(compgen -W "ipv4 ipv6 dual" -- "$cur")); return ;;
    --link) COMPREPLY=($(compgen -W "veth ovs-veth ovs-internal" -- "$cur")); return ;;
    --routing) COMPREPLY=($(compgen -W "static none" -- "$cur")); return ;;
    -n|--nodes|--depth|--fanout|--spines|--leaves|--hosts|-k|--pool4|--pool6|--name|--prefix|--schema) return ;;
  esac
  # One file per element, so names with spaces stay whole.
  mapfile -t yaml_files < <(_nstopo_topology_files "$cur")
  case "$command" in
    "") COMPREPLY=($(compgen -W "$commands $globals" -- "$cur")) ;;
    validate) COMPREPLY=($(compgen -W "--json" -- "$cur") "${yaml_files[@]}") ;;
    apply) COMPREPLY=($(compgen -W "--adopt --host --json" -- "$cur") "${yaml_files[@]}") ;;
    expand) COMPREPLY=("${yaml_files[@]}") ;;
    split) COMPREPLY=($(compgen -W "-o --output --json" -- "$cur") "${yaml_files[@]}") ;;
    plan) COMPREPLY=($(compgen -W "--detailed-exitcode --host --json" -- "$cur") "${yaml_files[@]}") ;;
    destroy|show) COMPREPLY=($(compgen -W "--lab --host --json" -- "$cur") "${yaml_files[@]}") ;;
    verify) COMPREPLY=($(compgen -W "--json --host --count --timeout-ms --format -o --output" -- "$cur") "${yaml_files[@]}") ;;
    bench) COMPREPLY=($(compgen -W "--from --to --duration --json" -- "$cur") "${yaml_files[@]}") ;;
    graph) COMPREPLY=($(compgen -W "--format -o --output --lab --live --no-live --verify" -- "$cur") "${yaml_files[@]}") ;;
    generate) COMPREPLY=($(compgen -W "star chain ring full-mesh tree leaf-spine fat-tree -n --nodes --depth --fanout --spines --leaves --hosts -k --family --pool4 --pool6 --link --routing --name --prefix --schema -o --output" -- "$cur")) ;;
    import) COMPREPLY=($(compgen -W "--netns --bridge --ovs-bridge --name --schema" -- "$cur")) ;;
    exec) COMPREPLY=($(compgen -W "--lab --file -- $(_nstopo_nodes)" -- "$cur")) ;;
    run) COMPREPLY=($(compgen -W "--in --rootless --" -- "$cur") "${yaml_files[@]}") ;;
    shell) COMPREPLY=($(compgen -W "--in --rootless" -- "$cur") "${yaml_files[@]}") ;;
    logs) COMPREPLY=($(compgen -W "--lab -f --follow $(_nstopo_nodes)" -- "$cur") "${yaml_files[@]}") ;;
    link) COMPREPLY=($(compgen -W "--lab --one-end --down --up --count down up flap" -- "$cur") "${yaml_files[@]}") ;;
    impair) COMPREPLY=($(compgen -W "--lab --delay --jitter --distribution --loss --duplicate --corrupt --reorder --gap --rate --limit --clear" -- "$cur") "${yaml_files[@]}") ;;
    run-scenario) COMPREPLY=("${yaml_files[@]}") ;;
    ovs) COMPREPLY=($(compgen -W "start stop status --json" -- "$cur")) ;;
    gc) COMPREPLY=($(compgen -W "--dry-run --json" -- "$cur")) ;;
    list) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
  esac
}
complete -o filenames -o bashdefault -F _nstopo nstopo
