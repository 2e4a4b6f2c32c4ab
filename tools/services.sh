#!/usr/bin/env bash
# Starts, stops and lists the built services as local processes (logs and pids under .stack/).
#   tools/services.sh start   migrate each built service's database, start it, wait until ready
#   tools/services.sh stop    stop them (SIGTERM, then SIGKILL after 15 s)
#   tools/services.sh status
set -euo pipefail
# Logs, pids, the dev token issuer's key and the simulator token are this user's only (0700 / 0600).
umask 077
cd "$(dirname "${BASH_SOURCE[0]}")/.."
STATE="${DIVIT_STACK_STATE:-$PWD/.stack}"
mkdir -p "$STATE/logs" "$STATE/run"
chmod 700 "$STATE" "$STATE/logs" "$STATE/run"

# service → HTTP port (defaults of each service's config)
declare -A PORTS=([registration]=3001 [consent]=3002 [identity-validation]=3003 [income-retrieval]=3004 [billing-reconciliation]=3005 [retention-cleanup]=3006)

built_services() {
  local s
  for s in registration consent identity-validation income-retrieval billing-reconciliation retention-cleanup; do
    [[ -f services/$s/dist/main.js ]] && echo "$s"
  done
  return 0
}

# Local-run secrets live per machine user, not per checkout: the local databases outlive a checkout, and data
# they hold (consent signing keys encrypted under the key-encryption key, BSN hashes) must stay usable from
# every clone on this machine. Never used outside local runs; production takes them from a secret store.
DEV_SECRETS="${DIVIT_DEV_SECRETS:-${XDG_CONFIG_HOME:-$HOME/.config}/divit/dev-secrets}"
dev_secret() { # NAME → a random 32-byte base64 secret kept under $DEV_SECRETS (local runs only)
  local f="$DEV_SECRETS/$1"
  mkdir -p "$DEV_SECRETS" && chmod 700 "$DEV_SECRETS"
  [[ -s $f ]] || (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))" >"$f")
  cat "$f"
}

# The token the simulator endpoints of identity-validation demand (x-simulator-token); tools/demo reads it
# from here. New for every start of the services.
SIMULATOR_TOKEN_FILE="$STATE/simulator-token"
new_simulator_token() {
  node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" >"$SIMULATOR_TOKEN_FILE"
  chmod 600 "$SIMULATOR_TOKEN_FILE"
}

service_env() { # NAME → env assignments for local runs
  local db="divit_${1//-/_}"
  # DIVIT_ENVIRONMENT=development: the simulators and the local token issuer below are refused in production.
  echo "DIVIT_ENVIRONMENT=development PORT=${PORTS[$1]} DB_NAME=$db DB_USER=$db DB_PASSWORD=$db SCHEMA_AUTO_REGISTER=false LOG_LEVEL=${LOG_LEVEL:-info} AUTH_JWKS_FILE=$JWKS_FILE"
  case $1 in
    consent) echo "CONSENT_KEY_ENCRYPTION_KEY=$(dev_secret consent-key-encryption-key)" ;;
    # SIMULATORS of MijnOverheid (DvMG) and BV BSN: the government services cannot be reached from here.
    # Their HTTP endpoints (pages, script) are mounted behind the simulator token.
    identity-validation)
      echo "BSN_HASH_KEYS=[{\"id\":\"dev1\",\"secret\":\"$(dev_secret bsn-hash-key-dev1)\"}] BSN_HASH_ACTIVE_KEY_ID=dev1"
      echo "DVMG_MODE=simulator BVBSN_MODE=simulator"
      echo "SIMULATOR_ENDPOINTS_ENABLED=true SIMULATOR_TOKEN=$(cat "$SIMULATOR_TOKEN_FILE")" ;;
  esac
}

running() { [[ -f $STATE/run/$1.pid ]] && kill -0 "$(cat "$STATE/run/$1.pid")" 2>/dev/null; }

start() {
  local s
  # Local development token issuer (tools/dev-auth.js); production configures AUTH_JWKS of its identity provider.
  JWKS_FILE="$(node tools/dev-auth.js "$STATE/dev-auth")"
  running identity-validation || new_simulator_token
  for s in $(built_services); do
    if running "$s"; then echo "services: $s already running (pid $(cat "$STATE/run/$s.pid"))"; continue; fi
    env $(service_env "$s") node "services/$s/dist/database/migrate.js" run | sed "s/^/services: $s migrate: /"
    env $(service_env "$s") nohup node "services/$s/dist/main.js" >>"$STATE/logs/$s.log" 2>&1 &
    echo $! >"$STATE/run/$s.pid"
  done
  for s in $(built_services); do
    local deadline=$((SECONDS + 60))
    until curl -fsS "http://127.0.0.1:${PORTS[$s]}/health/ready" >/dev/null 2>&1; do
      if ! running "$s" || ((SECONDS > deadline)); then
        echo "services: $s did not become ready; last log lines:"; tail -n 20 "$STATE/logs/$s.log"; exit 1
      fi
      sleep 0.5
    done
    echo "services: $s ready on http://127.0.0.1:${PORTS[$s]} (log $STATE/logs/$s.log)"
  done
}

stop() {
  local s pid i
  for s in registration consent identity-validation income-retrieval billing-reconciliation retention-cleanup; do
    running "$s" || { rm -f "$STATE/run/$s.pid"; continue; }
    pid="$(cat "$STATE/run/$s.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    rm -f "$STATE/run/$s.pid"
    echo "services: $s stopped"
  done
}

status() {
  local s rc=0
  for s in $(built_services); do
    if running "$s"; then echo "$s up http://127.0.0.1:${PORTS[$s]} (pid $(cat "$STATE/run/$s.pid"))"; else echo "$s down"; rc=1; fi
  done
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: tools/services.sh start|stop|status" >&2; exit 2 ;;
esac
