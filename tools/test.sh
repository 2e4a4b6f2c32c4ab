#!/usr/bin/env bash
# The repository's test command (`npm test`), runnable on a fresh machine:
#   1. install npm dependencies (from the lock file)
#   2. static checks: contracts codegen drift, typecheck, lint, deploy manifests, OpenAPI documents and the
#      typed clients generated from them
#   3. local stack up (Kafka + schema registry + Keycloak + PostgreSQL; tools/stack/stack.sh)
#   4. contract checks against the real broker/registry: topics provisioned and verified
#   5. build, unit tests, integration tests (real Kafka, registry, PostgreSQL, Keycloak)
#   6. end to end: the six services as processes, driven by the demonstration, then a BSN leak scan (tools/e2e.sh)
# Ends with one line "N passed, N failed" summing every jest run, and exits non-zero on any failure.
# Leaves the stack running (stop it with `npm run stack:down`).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

source tools/lib/install.sh
install_npm_dependencies || exit 1

results=()
failed=0
step() { # step NAME COMMAND...
  local name="$1" rc
  shift
  echo "test: ---- $name: $*"
  "$@"
  rc=$?
  if ((rc == 0)); then results+=("$name ok"); else results+=("$name FAILED($rc)"); failed=1; fi
}

rm -rf reports/jest
step contracts npm run --silent contracts:check
step format npm run --silent format:check
step typecheck npx tsc -p tsconfig.json --noEmit
step lint npx nx run-many -t lint --outputStyle=static --skip-nx-cache
step deploy npm run --silent deploy:validate
step openapi npm run --silent openapi:check
step clients npm run --silent openapi:clients:check

if bash tools/stack/stack.sh up; then
  step topics env KAFKA_TOPIC_PREFIX=ci-check- bash -c 'npm run --silent topics:provision && npm run --silent topics:verify'
  step build npx nx run-many -t build --outputStyle=static
  step unit npx nx run-many -t test --outputStyle=static --skip-nx-cache
  # A watch on the registry while the tiers that use it run: a stall leaves a thread dump (docs/adr/0006).
  bash tools/stack/registry-watch.sh start
  step integration npx nx run-many -t test:integration --parallel=1 --outputStyle=static --skip-nx-cache
  step e2e bash tools/e2e.sh
  bash tools/stack/registry-watch.sh stop
  bash tools/stack/registry-watch.sh report
else
  echo "test: the local stack did not come up (see above)"
  results+=("stack FAILED")
  failed=1
fi

summary="$(IFS=,; echo "${results[*]}" | sed 's/,/, /g')"
echo "test: steps: $summary"
node -e '
  const fs = require("fs"); const dir = "reports/jest";
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  let passed = 0, failed = 0, skipped = 0;
  for (const f of files) { const r = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")); passed += r.passed; failed += r.failed; skipped += r.skipped;
    console.log(`test: ${r.project} ${r.tier}: ${r.passed} passed, ${r.failed} failed`);
    for (const f of r.failures ?? []) console.log(`test:   FAILED ${f}`); }
  if (failed === 0 && process.argv[1] === "1") failed = 1;  // a failed step with no failed test still fails
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$failed"
exit "$failed"
