#!/usr/bin/env bash
# Compiles SessionAccount.sol and TestToken.sol with the solc pinned in
# package-lock.json (npm "solc" 0.8.37, a JavaScript compiler: nothing is
# downloaded at compile time) into artifacts/<Name>.json, which are committed
# and embedded by contracts.go (go build/test need no Node).
#
#   ./build.sh          npm ci, then rewrite artifacts/
#   ./build.sh --check  npm ci, compile into a temp dir, fail (exit 1) if the
#                       result differs from the committed artifacts (CI)
set -euo pipefail
cd "$(dirname "$0")"

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

npm ci --no-audit --no-fund --loglevel=error >/dev/null

if [ "$check" = 0 ]; then
  node compile.mjs artifacts
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node compile.mjs "$tmp" >/dev/null
if diff -r -q artifacts "$tmp" >"$tmp.diff" 2>&1; then
  rm -f "$tmp.diff"
  echo "artifacts up to date"
  exit 0
fi
echo "artifacts differ from a fresh compile; run ./build.sh and commit artifacts/:" >&2
sed -e "s|$tmp|<fresh>|g" "$tmp.diff" >&2
for f in "$tmp"/*.json; do
  n="$(basename "$f")"
  [ -f "artifacts/$n" ] || continue
  diff -u "artifacts/$n" "$f" | sed -e "s|$tmp|<fresh>|g" | cut -c1-120 | head -n 20 >&2 || true
done
rm -f "$tmp.diff"
exit 1
