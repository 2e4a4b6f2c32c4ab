#!/usr/bin/env bash
# End-to-end tier (run by `npm test` after the integration tests; needs the stack up and the services built):
# the six services as separate processes on the local stack, driven by the demonstration (tools/demo/demo.ts),
# which stops with exit 1 at the first unexpected answer and ends with the BSN leak scan over every service
# database, every topic and every service log. Writes reports/jest/e2e-end-to-end.json for the summary line
# and the full transcript to reports/e2e/demo.log. Services it started are stopped again.
set -uo pipefail
# The transcript and service logs name (fictional) people: this user's only (0700 / 0600).
umask 077
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p reports/e2e reports/jest
chmod 700 reports reports/e2e

already_running=false
bash tools/services.sh status >/dev/null 2>&1 && already_running=true

rc=0
{
  npm run --silent topics:provision >/dev/null &&
    npm run --silent schemas:register >/dev/null &&
    bash tools/services.sh start
} >reports/e2e/services.log 2>&1 || { echo "e2e: services did not start"; tail -n 30 reports/e2e/services.log; rc=1; }

if ((rc == 0)); then
  npx ts-node --transpile-only -r tsconfig-paths/register -P tsconfig.json tools/demo/demo.ts >reports/e2e/demo.log 2>&1
  rc=$?
  grep -E '^(--|demo)|→ 0 hits' reports/e2e/demo.log | sed 's/^/e2e: /'
  ((rc == 0)) || { echo "e2e: demonstration failed; last lines of reports/e2e/demo.log:"; tail -n 25 reports/e2e/demo.log; }
fi

$already_running || bash tools/services.sh stop >/dev/null 2>&1
passed=$((rc == 0 ? 1 : 0))
echo "{\"project\":\"e2e\",\"tier\":\"end-to-end\",\"passed\":$passed,\"failed\":$((1 - passed)),\"skipped\":0}" >reports/jest/e2e-end-to-end.json
exit "$rc"
