#!/usr/bin/env bash
# Re-renders every golden case under test/metrics/go-template/golden with real Go + Sprig.
# Needs Debian's golang-go, golang-github-masterminds-sprig-dev and golang-k8s-sigs-yaml-dev.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=
bin="$(mktemp -d)/go-render"
go build -o "$bin" ./tools/go-render
"$bin" -goldens test/metrics/go-template/golden
"$bin" -goldens test/metrics/go-template/golden/edge
