#!/usr/bin/env bash
# Runs every test: verify (type check, lint, format check), then unit and integration tests on SQLite and
# PostgreSQL.
# PostgreSQL tests create throwaway databases on TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1

echo "== verify: type check, lint, format"
npm run -s verify || { echo "verify failed: run npm run verify (npm run format rewrites the formatting)"; exit 1; }

echo "== tests"
rm -f .vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest.json "$@"
status=$?
if [ -f .vitest.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(".vitest.json", "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A file whose setup failed runs none of its tests: say so, rather than count them as skipped only.
    const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped` + (brokenFiles > 0 ? `; ${brokenFiles} test file(s) failed before their tests ran` : ""));
  '
else
  echo "vitest: 0 passed, 1 failed, 0 skipped"
  status=1
fi
exit $status
