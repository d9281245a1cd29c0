#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The man page and the shell completions keep up with the command line (issue 18): every
# command and option `nstopo --help` and `nstopo COMMAND --help` list is in docs/nstopo.1, in
# the zsh completion and in what the bash completion offers, and the bash completion loads in a
# plain `bash -c` and completes commands, options and topology files.
# Usage: test_cli_docs.sh NSTOPO SOURCE_DIR
set -euo pipefail
nstopo=$1
source_dir=$2
bash_completion="$source_dir/docs/completions/nstopo.bash"
zsh_completion="$source_dir/docs/completions/_nstopo"
man_page="$source_dir/docs/nstopo.1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# A help text's section (CLI11 titles them "OPTIONS:", "SUBCOMMANDS:"), first word of each line.
section() {
  awk -v title="$1" '
    /^[A-Za-z]+:$/ { inside = (toupper($0) == toupper(title) ":"); next }
    inside && /^  +[^ ]/ { print $1 }'
}
# Long and short option names of an OPTIONS section line such as "-v,--verbose".
option_names() { tr ',' '\n' | grep -E '^--?[a-z]' | grep -vxE -- '-h|--help' || true; }

# What the bash completion offers for a command line whose last word is being completed.
complete_bash() {
  (cd "$work/files" && bash --norc --noprofile -c '
    source "$1"
    shift
    spec=$(complete -p nstopo) || exit 1
    [[ $spec == *"-F _nstopo"* ]] || { echo "complete -p: $spec" >&2; exit 1; }
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    _nstopo nstopo "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' complete_bash "$bash_completion" "$@")
}
mkdir -p "$work/files/labs"
touch "$work/files/lab.yaml" "$work/files/other.yml" "$work/files/notes.txt"

main_help=$("$nstopo" --help)
mapfile -t commands < <(section SUBCOMMANDS <<<"$main_help")
mapfile -t globals < <(section OPTIONS <<<"$main_help" | option_names)
[[ ${#commands[@]} -ge 10 ]] || fail "found only ${#commands[@]} commands in nstopo --help"
[[ ${#globals[@]} -ge 10 ]] || fail "found only ${#globals[@]} global options in nstopo --help"

# The man page spells "-" as "\-".
in_man() { grep -qF -- "${1//-/\\-}" "$man_page"; }

offered=$(complete_bash nstopo "") || fail "the bash completion does not load or run"
for command in "${commands[@]}"; do
  grep -qxF -- "$command" <<<"$offered" || fail "bash: nstopo <TAB> does not offer $command"
  grep -qE "^\.B $command( |\\\\|$)" "$man_page" || fail "man page: no entry for $command"
  grep -qF "'$command:" "$zsh_completion" || fail "zsh: no command $command"
done
for option in "${globals[@]}"; do
  grep -qxF -- "$option" <<<"$offered" || fail "bash: nstopo <TAB> does not offer $option"
  in_man "$option" || fail "man page: no global option $option"
  grep -qF -- "$option" "$zsh_completion" || fail "zsh: no global option $option"
done

for command in "${commands[@]}"; do
  mapfile -t options < <("$nstopo" "$command" --help | section OPTIONS | option_names)
  offered=$(complete_bash nstopo "$command" -)
  for option in "${options[@]}"; do
    # Global options may follow the command too; both completions offer them before it.
    if printf '%s\n' "${globals[@]}" | grep -xF -- "$option" >/dev/null; then continue; fi
    grep -qxF -- "$option" <<<"$offered" || fail "bash: nstopo $command -<TAB> lacks $option"
    grep -qE "^\.B $command[ \\].*${option//-/\\\\-}" "$man_page" ||
      fail "man page: $command's entry lacks $option"
    grep -qF -- "'$option[" "$zsh_completion" || grep -qF -- "\"$option[" "$zsh_completion" ||
      fail "zsh: no option $option (of $command)"
  done
done

# Topology files: YAML files and directories, nothing else.
offered=$(complete_bash nstopo validate "")
for expected in lab.yaml other.yml labs; do
  grep -qxF "$expected" <<<"$offered" || fail "bash: nstopo validate <TAB> lacks $expected"
done
grep -qxF notes.txt <<<"$offered" && fail "bash: nstopo validate <TAB> offers notes.txt"
offered=$(complete_bash nstopo exec ns1 --file l)
grep -qxF lab.yaml <<<"$offered" || fail "bash: nstopo exec ns1 --file l<TAB> lacks lab.yaml"
offered=$(complete_bash nstopo graph lab.yaml --format "")
[[ $(sort <<<"$offered" | tr '\n' ' ') == "dot html mermaid svg " ]] ||
  fail "bash: graph --format offers: $offered"
offered=$(complete_bash nstopo verify lab.yaml --format "")
[[ $(sort <<<"$offered" | tr '\n' ' ') == "html text " ]] ||
  fail "bash: verify --format offers: $offered"

if command -v zsh >/dev/null; then
  zsh -n "$zsh_completion" || fail "zsh: the completion does not parse"
fi
if [[ $failures -ne 0 ]]; then
  echo "$failures failures" >&2
  exit 1
fi
echo "ok: ${#commands[@]} commands and their options in the man page and both completions"
