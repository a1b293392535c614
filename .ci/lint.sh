#!/usr/bin/env bash
# Lint the whole tree with golangci-lint (configuration: .golangci.yml).
# The linter is pinned and installed once into a cache directory with the
# Go toolchain (go install builds it from the module proxy).
#
#   bash .ci/lint.sh            # lint ./...
#   LINT_CACHE=/some/dir bash .ci/lint.sh
set -euo pipefail

version=v2.15.0 # builds with Go 1.26; bump here and nowhere else
cache="${LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/walletconsole/golangci-lint-$version}"
bin="$cache/golangci-lint"

cd "$(dirname "$0")/.."
if [ ! -x "$bin" ]; then
	echo "lint: installing golangci-lint $version into $cache" >&2
	mkdir -p "$cache"
	GOBIN="$cache" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
fi
"$bin" version >&2
"$bin" run ./...
echo "lint: clean"
