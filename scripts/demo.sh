#!/usr/bin/env bash
# The demo: sets up, packages the extension, starts the demo target and opens examples/ in a real VS Code.
# Usage: scripts/demo.sh    (Ctrl-C stops everything it started)
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v code >/dev/null 2>&1; then
  bash scripts/setup.sh --no-code-server
else
  bash scripts/setup.sh
fi
npm run --silent package
exec node --import tsx scripts/demo.ts
