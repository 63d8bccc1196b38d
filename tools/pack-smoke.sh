#!/usr/bin/env bash
# Package smoke test: installs the `npm pack` tarball into an empty project with --omit=dev and
# runs it from there. It catches a file missing from `files`, a library needed at run time but
# declared as a devDependency (so not installed, and not bundled either), and anything that works
# only inside the clone. Run after `npm run build` (`npm test` builds); .ci/run calls it.
#
#   tools/pack-smoke.sh            # prints sizes and timings (bench/README.md quotes them)
#   KEEP=1 tools/pack-smoke.sh     # keep the temporary project and print where it is
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/canary-pack-smoke.XXXXXX")"
if [ "${KEEP:-}" = 1 ]; then
  echo "pack-smoke: keeping $work"
else
  trap 'rm -rf "$work"' EXIT
fi

fail() {
  echo "pack-smoke: FAILED: $*" >&2
  exit 1
}

# Runs "$@", and fails unless it exits with the expected code.
expect_exit() {
  local expected=$1
  shift
  local code=0
  "$@" >"$work/out.txt" 2>&1 || code=$?
  if [ "$code" != "$expected" ]; then
    cat "$work/out.txt" >&2
    fail "'$*' exited $code, expected $expected"
  fi
}

[ -f "$root/dist/bundle/main.js" ] || fail "no build: run 'npm run build' first"
version="$(node -p "require('$root/package.json').version")"

# The build is already there: --ignore-scripts keeps `prepare` from building it again.
(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/*.tgz)"

mkdir "$work/project"
cd "$work/project"
echo '{ "name": "pack-smoke", "version": "1.0.0", "private": true }' >package.json
# An empty npm cache: as cold as a fresh CI runner (the registry is still used for the
# production dependencies).
start=$(date +%s%N)
npm install --omit=dev --no-audit --no-fund --loglevel=error --cache "$work/npm-cache" "$tarball" >/dev/null
install_ms=$(((($(date +%s%N) - start)) / 1000000))
canary="$work/project/node_modules/.bin/canary"

expect_exit 0 "$canary" --version
grep -q "canary-slo/$version " "$work/out.txt" || fail "canary --version printed $(cat "$work/out.txt")"
expect_exit 0 "$canary" init
expect_exit 0 "$canary" validate experiment.yaml
expect_exit 2 "$canary" no-such-command
# The demo's own files (experiments/demo.yaml, the model, Prometheus templates) come from the package.
expect_exit 0 "$canary" demo --quiet --loops 1
[ -s canary-results/demo.html ] || fail "the demo wrote no canary-results/demo.html"

kib() { du -sk "$1" | cut -f1; }
packages=$(node -p "Object.keys(require('./node_modules/.package-lock.json').packages).length")

# npx as a user outside the clone runs it (`npx canary-slo ...`: the package's only bin), from the
# same tarball, with another empty cache.
start=$(date +%s%N)
expect_exit 0 npx --yes --cache "$work/npx-cache" -- "file:$tarball" --version
npx_ms=$(((($(date +%s%N) - start)) / 1000000))
grep -q "canary-slo/$version " "$work/out.txt" || fail "npx printed $(cat "$work/out.txt")"
printf 'pack-smoke: ok (%s)\n' "$(basename "$tarball")"
printf '  tarball            %6d KiB\n' "$(kib "$tarball")"
printf '  installed          %6d KiB (canary-slo %d KiB), %d packages\n' \
  "$(kib node_modules)" "$(kib node_modules/canary-slo)" "$packages"
printf '  cold install       %6d ms (npm install --omit=dev, empty npm cache)\n' "$install_ms"
printf '  cold npx           %6d ms (npx file:TARBALL --version, empty npm cache)\n' "$npx_ms"
