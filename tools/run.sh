#!/usr/bin/env bash
# The repository's run command (`npm start`), runnable on a fresh machine: installs what it needs,
# brings up the local stack (Kafka, schema registry, Keycloak, PostgreSQL), provisions topics and registers
# schemas (the deploy steps), builds and starts the services, and runs the demonstration.
# Leaves everything running; `npm stop` stops services and stack.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
source tools/lib/install.sh

install_npm_dependencies
bash tools/stack/stack.sh up
echo "run: building"
npx nx run-many -t build --outputStyle=static >/dev/null
echo "run: provisioning topics and registering schemas (deploy steps)"
npm run --silent topics:provision
npm run --silent schemas:register
bash tools/services.sh start
echo
npx ts-node --transpile-only -r tsconfig-paths/register -P tsconfig.json tools/demo/demo.ts
echo
echo "run: services are still running (tools/services.sh status); stop everything with: npm stop"
