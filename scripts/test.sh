#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs what is missing, type-checks and lints, then runs the
# unit, API and interop tests (vitest, against real sshd/xrdp/websockify/PostgreSQL), the API tests once
# more with the proxy's state in PostgreSQL, and the end-to-end tests
# in real Chromium (Playwright). Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
mkdir -p .tmp
rm -f .tmp/vitest*.json .tmp/playwright.json
# Hook errors, which vitest's JSON report leaves out, go beside each report (see scripts/summarize.mjs).
hooks=(--reporter=./tests/support/hook-errors-reporter.ts)
status=0

echo "== Type check and lint"
checks=""
npm run --silent check || { status=1; checks+=" type check"; }
npm run --silent lint || { status=1; checks+=" lint"; }

echo "== Unit, API and interop tests (vitest)"
POSTERN_HOOK_ERRORS="$PWD/.tmp/vitest-hooks.json" npx vitest run "${hooks[@]}" --reporter=default --reporter=json --outputFile.json="$PWD/.tmp/vitest.json" || status=1

echo "== The API tests again, with the proxy's state in PostgreSQL (a throwaway cluster)"
POSTERN_TEST_DATABASE=postgres POSTERN_HOOK_ERRORS="$PWD/.tmp/vitest-postgres-hooks.json" npx vitest run tests/api "${hooks[@]}" --reporter=default --reporter=json --outputFile.json="$PWD/.tmp/vitest-postgres.json" || status=1

echo "== End-to-end tests in Chromium (Playwright)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$PWD/.tmp/playwright.json" npx playwright test -c tests/e2e/playwright.config.ts --reporter=list,json || status=1

# A failed type check or lint fails the run though every test passed: say so beside the count.
[ -z "$checks" ] || echo "FAILED:$checks (see \"== Type check and lint\" above)"
node scripts/summarize.mjs "$PWD/.tmp/vitest.json" "$PWD/.tmp/vitest-postgres.json" "$PWD/.tmp/playwright.json" || status=1
exit $status
