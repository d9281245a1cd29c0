# SPDX-License-Identifier: Apache-2.0
# bash completion for nstopo: source it, or install it as /usr/share/bash-completion/completions/nstopo
_nstopo() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }
  local commands="validate plan apply destroy show list gc verify exec graph ovs"
  local globals="-v --verbose --log-level --no-color --ovsdb --version --help"
  local command=""
  for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case " $commands " in *" $word "*) command=$word; break ;; esac
  done
  case "$prev" in
    --log-level) COMPREPLY=($(compgen -W "trace debug info warn error off" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "dot mermaid svg" -- "$cur")); return ;;
    --lab) COMPREPLY=($(compgen -W "$(ls /run/nstopo 2>/dev/null)" -- "$cur")); return ;;
  esac
  case "$command" in
    "") COMPREPLY=($(compgen -W "$commands $globals" -- "$cur")) ;;
    plan) COMPREPLY=($(compgen -W "--detailed-exitcode --json" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur")) ;;
    destroy|show) COMPREPLY=($(compgen -W "--lab --json" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur")) ;;
    verify) COMPREPLY=($(compgen -W "--json --count --timeout-ms" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur")) ;;
    graph) COMPREPLY=($(compgen -W "--format" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur")) ;;
    exec) COMPREPLY=($(compgen -W "--lab --file --" -- "$cur")) ;;
    ovs) COMPREPLY=($(compgen -W "start stop status --json" -- "$cur")) ;;
    gc) COMPREPLY=($(compgen -W "--dry-run --json" -- "$cur")) ;;
    list) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "--json" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur")) ;;
  esac
}
complete -o filenames -F _nstopo nstopo
