#!/usr/bin/env bash
# The repository's test command (`npm test`): dependencies, local stack, build, unit tests,
# integration tests. Leaves the stack running (stop it with `npm run stack:down`).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "test: node_modules missing or older than package-lock.json: npm ci"
  if ! npm ci --no-audit --no-fund; then
    # The lock file lists only the Linux builds of platform-specific optional packages (the
    # registry reachable from these machines serves no others), which npm 11's `npm ci`
    # rejects as "not in sync"; `npm install` resolves the same versions from the lock.
    echo "test: npm ci failed; falling back to npm install --no-save"
    npm install --no-save --no-audit --no-fund || { echo "test: npm install failed"; exit 1; }
  fi
fi

bash tools/stack/stack.sh up || { echo "test: the local stack did not come up (see above)"; exit 1; }

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
step build npx nx run-many -t build --outputStyle=static
step test npx nx run-many -t test --outputStyle=static
step test:integration npx nx run-many -t test:integration --parallel=1 --outputStyle=static

summary="$(IFS=,; echo "${results[*]}" | sed 's/,/, /g')"
if ((failed)); then echo "test: FAILED ($summary)"; else echo "test: all passed ($summary)"; fi
exit "$failed"
