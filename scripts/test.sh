#!/usr/bin/env bash
# The one test command: sets up the machine, checks types and lint, packages the VSIX, then runs every test layer.
# Usage: scripts/test.sh            (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo '[test] type check and lint'
npm run --silent typecheck
npm run --silent lint
echo '[test] production build and package'
npm run --silent package

# Every layer, in one node:test run so the summary counts them all. Files run one at a time: the runner and e2e
# layers start real Locust, code-server and Chromium processes on a 2-core machine.
mkdir -p test-output
shopt -s nullglob
files=(test/unit/*.test.ts test/lsp/*.test.ts test/runner/*.test.ts test/webview/*.test.ts test/e2e/*.test.ts)
for layer in unit lsp runner webview e2e; do
  compgen -G "test/${layer}/*.test.ts" >/dev/null || { echo "[test] no tests in test/${layer}: every layer must run" >&2; exit 1; }
done
status=0
# Every process the tests start inherits this mark (its name does not start with LOCUST_: some tests drop those), so
# that the check below counts only this run's processes, never another user's Locust or another checkout's tests.
run_mark="locust-studio-tests-$$-$(date +%s%N)"
STUDIO_TESTS_RUN_MARK="$run_mark" node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-output/results.tap "${files[@]}" || status=$?

# Nothing a test started may outlive it: the runner's launcher and task shim (under any interpreter or debugpy),
# `python -m locust`, and code-server and Chromium in their scratch folders, when they carry this run's mark. This
# script has no mark itself and pgrep never lists itself.
leftover_pattern='locust_studio_(launch|task)\.py|python[0-9.]*( +-[^ ]+)* +-m +locust( |$)|locust-studio-e2e|locust-studio-chromium'
leftovers=$(
  for pid in $(pgrep -f "$leftover_pattern" || true); do
    grep -qxzF "STUDIO_TESTS_RUN_MARK=$run_mark" "/proc/$pid/environ" 2>/dev/null || continue
    ps -o pid=,args= -p "$pid" || true
  done
)
if [ -n "$leftovers" ]; then
  echo "[test] processes left behind by the tests:" >&2
  echo "$leftovers" >&2
  status=1
fi

# The plain closing line, counted from the TAP copy of the results: every test in one of its numbers (node:test counts a
# test that ran past its timeout as cancelled, not failed; a test whose Locust is missing as skipped).
count() { grep -E "^# $1 " test-output/results.tap | awk '{s+=$3} END {print s+0}'; }
cancelled=$(count cancelled)
[ "$cancelled" -eq 0 ] || status=1
echo "tests: $(count pass) passed, $(count fail) failed, ${cancelled} cancelled, $(count skipped) skipped"
exit $status
