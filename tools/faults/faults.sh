#!/usr/bin/env bash
# Fault tier (`npm run faults [-- --duration 480 --workers 3 ...]`): brings up a separate three-node Kafka
# cluster, schema registry and two replicas of every built service on ports and databases of its own, runs
# tools/faults/faults.ts against them and stops everything it started again. See docs/faults.md.
# Never touches the shared stack (Kafka 9092, registry 8081, databases divit_<service>).
# FAULTS_KEEP=1 leaves the cluster and services running afterwards; FAULTS_FRESH=0 keeps the cluster's
# data from an earlier run (default: purged, so every run starts from empty topics).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

export DIVIT_STACK_STATE="${FAULTS_STATE:-$PWD/.stack-faults}"
export KAFKA_NODES=3 KAFKA_PORT="${FAULTS_KAFKA_PORT:-19092}"
export REGISTRY_PORT="${FAULTS_REGISTRY_PORT:-18081}" REGISTRY_MANAGEMENT_PORT="${FAULTS_REGISTRY_MANAGEMENT_PORT:-19081}"
export KAFKA_HEAP_OPTS="${FAULTS_KAFKA_HEAP_OPTS:--Xmx384m -Xms256m}"
export DIVIT_DB_PREFIX="${FAULTS_DB_PREFIX:-divit_fault_}"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT,127.0.0.1:$((KAFKA_PORT + 2)),127.0.0.1:$((KAFKA_PORT + 4))"
export SCHEMA_REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
export TOPIC_REPLICATION_FACTOR=3 TOPIC_MIN_INSYNC_REPLICAS=2
# No Keycloak: the services here verify the development issuer's tokens (docs/adr/0026).
export STACK_KEYCLOAK=0
export SERVICE_REPLICAS=2 SERVICE_PORT_BASE="${FAULTS_SERVICE_PORT_BASE:-4101}" SERVICE_REPLICA_PORT_STEP=100
export SERVICE_READY_TIMEOUT="${SERVICE_READY_TIMEOUT:-240}"
# A simulated MijnOverheid session lost with its identity-validation process expires after this (issue 13 item 9).
export SESSION_TIMEOUT_SECONDS="${FAULTS_SESSION_TIMEOUT_SECONDS:-90}"
unset KAFKA_TOPIC_PREFIX KAFKA_CONTROLLER_PORT

[[ $DIVIT_DB_PREFIX != divit_ && $KAFKA_PORT != 9092 && $REGISTRY_PORT != 8081 ]] ||
  { echo "faults: refusing the shared stack's ports or databases" >&2; exit 2; }
for s in registration consent identity-validation income-retrieval billing-reconciliation retention-cleanup; do
  [[ -f services/$s/dist/main.js ]] || { echo "faults: build the services first (npx nx run-many -t build)" >&2; exit 2; }
done

cleanup() {
  if [[ ${FAULTS_KEEP:-0} != 1 ]]; then
    echo "faults: stopping the services and the cluster"
    bash tools/services.sh stop >/dev/null 2>&1
    bash tools/stack/stack.sh down >/dev/null 2>&1
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ${FAULTS_FRESH:-1} == 1 ]] && ! bash tools/services.sh status >/dev/null 2>&1; then
  bash tools/services.sh stop >/dev/null 2>&1
  bash tools/stack/stack.sh down --purge >/dev/null 2>&1
fi
echo "faults: cluster, registry and databases (${DIVIT_DB_PREFIX}*)"
bash tools/stack/stack.sh up || exit 2
npm run --silent topics:provision >"$DIVIT_STACK_STATE/logs/provision.log" 2>&1 ||
  { tail -n 20 "$DIVIT_STACK_STATE/logs/provision.log"; exit 2; }
npm run --silent schemas:register >"$DIVIT_STACK_STATE/logs/schemas.log" 2>&1 ||
  { tail -n 20 "$DIVIT_STACK_STATE/logs/schemas.log"; exit 2; }
echo "faults: topics (replication $TOPIC_REPLICATION_FACTOR, min.insync.replicas $TOPIC_MIN_INSYNC_REPLICAS) and schemas in place; starting 2 replicas of every service"
bash tools/services.sh start | grep -v migrate || exit 2
npx ts-node --transpile-only -r tsconfig-paths/register -P tsconfig.json tools/faults/faults.ts "$@"
