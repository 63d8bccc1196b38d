#!/usr/bin/env bash
# The GitHub Action (action.yml at the repository root): validate, run and report experiments.
# Inputs arrive as INPUT_* variables (action.yml maps each input to one); outputs go to
# $GITHUB_OUTPUT, the markdown report to $GITHUB_STEP_SUMMARY. test/action/action.test.ts runs it
# the way a runner runs action.yml.
#
# CANARY_BIN (not an input): a canary to use instead of installing canary-slo from npm (the tests
# use the clone's build; a workflow may have installed canary itself).
set -uo pipefail

experiment_patterns="${INPUT_EXPERIMENT:-}"
fail_on="${INPUT_FAIL_ON:-violation}"
report="${INPUT_REPORT:-markdown}"
action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/canary-action.XXXXXX")"

output() { [ -n "${GITHUB_OUTPUT:-}" ] && printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; }

# Records the outcome, then exits as fail-on says: 0, or the canary exit code.
finish() {
  local code=$1 verdict=$2
  output exit-code "$code"
  output verdict "$verdict"
  echo "canary: verdict $verdict (exit code $code)"
  case "$fail_on:$verdict" in
    never:* | *:pass | violation:inconclusive) exit 0 ;;
    *) exit "$code" ;;
  esac
}

# Exit code 2 (usage), as canary itself answers a bad command line.
input_error() {
  echo "::error title=canary action::$1"
  finish 2 error
}

case "$fail_on" in violation | inconclusive | never) ;; *)
  fail_on=violation
  input_error "fail-on is '${INPUT_FAIL_ON}'; use violation, inconclusive or never"
  ;;
esac
case "$report" in markdown | html) ;; *) input_error "report is '$report'; use markdown or html" ;; esac
[ -n "$experiment_patterns" ] || input_error "experiment is empty; give a file or a glob, e.g. experiments/*.yaml"

# Experiment files: each whitespace-separated pattern, expanded like a shell glob (** included).
read -r -d '' -a patterns <<<"$experiment_patterns"
shopt -s nullglob globstar
experiments=()
for pattern in "${patterns[@]}"; do
  matches=($pattern)
  [ ${#matches[@]} -gt 0 ] || input_error "experiment: no file matches '$pattern'"
  experiments+=("${matches[@]}")
done
shopt -u nullglob globstar

# --set: one value per line (commas inside a line are canary's own syntax); values: files.
value_args=()
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && value_args+=(--set "$line")
done <<<"${INPUT_SET:-}"
read -r -d '' -a value_files <<<"${INPUT_VALUES:-}"
for file in "${value_files[@]}"; do
  [ -f "$file" ] || input_error "values: no file '$file'"
  value_args+=(-f "$file")
done

if [ -n "${CANARY_BIN:-}" ]; then
  canary=("$CANARY_BIN")
else
  version="${INPUT_VERSION:-}"
  [ -n "$version" ] || version="$(node -p "require('$action_path/package.json').version")"
  echo "canary: installing canary-slo@$version"
  npm install --prefix "$work/install" --no-save --no-audit --no-fund --omit=dev --loglevel=error \
    "canary-slo@$version" || finish 4 error
  canary=("$work/install/node_modules/.bin/canary")
fi

"${canary[@]}" --version || finish 4 error
"${canary[@]}" validate "${experiments[@]}" "${value_args[@]}"
code=$?
[ $code -eq 0 ] || finish $code "$([ $code -eq 3 ] && echo invalid || echo error)"

# Run each experiment; the step's code is the worst outcome: error, then violation, inconclusive.
verdict=pass
final=0
rank() { case $1 in 0) echo 0 ;; 5) echo 1 ;; 1) echo 2 ;; *) echo 3 ;; esac; }
mkdir -p "$work/results" "$work/report"
index=0
for file in "${experiments[@]}"; do
  index=$((index + 1))
  name="$(basename "${file%.*}")-$index"
  results="$work/results/$name.jsonl"
  "${canary[@]}" run "$file" "${value_args[@]}" --results "$results" --no-github-summary
  code=$?
  [ "$(rank $code)" -gt "$(rank $final)" ] && final=$code
  if [ -f "$results" ]; then
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      "${canary[@]}" report -o markdown --results "$results" >>"$GITHUB_STEP_SUMMARY"
      echo >>"$GITHUB_STEP_SUMMARY"
    fi
    [ "$report" = html ] && "${canary[@]}" report -o html --results "$results" >"$work/report/$name.html"
  fi
done
[ "$report" = html ] && output report-path "$work/report"
case $final in 0) verdict=pass ;; 1) verdict=violation ;; 5) verdict=inconclusive ;; *) verdict=error ;; esac
finish $final $verdict
