#!/usr/bin/env bash
# Starts, stops and lists the built services as local processes (logs and pids under .stack/).
#   tools/services.sh start   migrate each built service's database, start it, wait until ready
#   tools/services.sh stop    stop them (SIGTERM, then SIGKILL after 15 s)
#   tools/services.sh status
# Env (defaults: one process per service on 3001..3006, databases divit_<service>):
#   SERVICE_REPLICAS=2        processes per service; replica r>1 listens on its own port, logs to
#                             <service>-<r>.log (pid <service>-<r>.pid), shares the database and consumer groups
#   SERVICE_PORT_BASE=3001    HTTP port of the first service's replica 1 (others follow in the order below)
#   SERVICE_REPLICA_PORT_STEP=100   port distance between replicas of one service
#   DIVIT_DB_PREFIX=divit_    database, role and password name prefix (as tools/stack/stack.sh)
#   KAFKA_BROKERS, SCHEMA_REGISTRY_URL, KAFKA_TOPIC_PREFIX, PGHOST, PGPORT  passed to the services as they are
set -euo pipefail
# Logs, pids, the dev token issuer's key and the simulator token are this user's only (0700 / 0600).
umask 077
cd "$(dirname "${BASH_SOURCE[0]}")/.."
STATE="${DIVIT_STACK_STATE:-$PWD/.stack}"
mkdir -p "$STATE/logs" "$STATE/run"
chmod 700 "$STATE" "$STATE/logs" "$STATE/run"

# service → HTTP port (defaults of each service's config)
declare -A PORTS=([registration]=3001 [consent]=3002 [identity-validation]=3003 [income-retrieval]=3004 [billing-reconciliation]=3005 [retention-cleanup]=3006)
REPLICAS="${SERVICE_REPLICAS:-1}"
PORT_BASE="${SERVICE_PORT_BASE:-3001}"
PORT_STEP="${SERVICE_REPLICA_PORT_STEP:-100}"
DB_PREFIX="${DIVIT_DB_PREFIX:-divit_}"
[[ $REPLICAS =~ ^[1-9]$ ]] || { echo "services: SERVICE_REPLICAS must be 1..9" >&2; exit 2; }
port_of() { echo $((PORTS[$1] - 3001 + PORT_BASE + ($2 - 1) * PORT_STEP)); } # SERVICE REPLICA → port
inst() { if (($2 == 1)); then echo "$1"; else echo "$1-$2"; fi }             # SERVICE REPLICA → pid/log name

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

service_env() { # NAME [REPLICA] → env assignments for local runs
  local db="$DB_PREFIX${1//-/_}" r="${2:-1}"
  # DIVIT_ENVIRONMENT=development: the simulators and the local token issuer below are refused in production.
  echo "DIVIT_ENVIRONMENT=development PORT=$(port_of "$1" "$r") DB_NAME=$db DB_USER=$db DB_PASSWORD=$db SCHEMA_AUTO_REGISTER=false LOG_LEVEL=${LOG_LEVEL:-info} $AUTH_ENV"
  ((REPLICAS == 1)) || echo "SERVICE_INSTANCE_ID=r$r"
  case $1 in
    registration) [[ -z $IDP_ENV ]] || echo "$IDP_ENV" ;;
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

launch() { # SERVICE REPLICA: start the process (migrating first when no replica of the service runs)
  local s="$1" r="$2" n any=false i
  n="$(inst "$s" "$r")"
  if running "$n"; then echo "services: $n already running (pid $(cat "$STATE/run/$n.pid"))"; return; fi
  for i in $(seq "$REPLICAS"); do running "$(inst "$s" "$i")" && any=true; done
  $any || env $(service_env "$s" "$r") node "services/$s/dist/database/migrate.js" run | sed "s/^/services: $s migrate: /"
  printf 'services: %s launched at %s by tools/services.sh (pid %s)\n' "$n" "$(date -u +%FT%T.%3NZ)" "$$" >>"$STATE/logs/$n.log"
  env $(service_env "$s" "$r") nohup node "services/$s/dist/main.js" >>"$STATE/logs/$n.log" 2>&1 &
  echo $! >"$STATE/run/$n.pid"
}

# Why instance N is not running: a pid file missing, or the exit status of a process this shell launched (wait
# works for its own children: 128+n is signal n, so 137 is SIGKILL), or still running when the deadline passed.
why_not_running() {
  local n="$1" pid status
  [[ -f $STATE/run/$n.pid ]] || { echo "no pid file $STATE/run/$n.pid"; return; }
  pid="$(cat "$STATE/run/$n.pid")"
  if kill -0 "$pid" 2>/dev/null; then echo "pid $pid still running, not ready in time"; return; fi
  wait "$pid" 2>/dev/null; status=$?
  if ((status == 127)); then echo "pid $pid gone, not a child of this shell"; else echo "pid $pid exited with status $status"; fi
}

await_ready() { # SERVICE REPLICA
  local s="$1" r="$2" n deadline=$((SECONDS + ${SERVICE_READY_TIMEOUT:-60}))
  n="$(inst "$s" "$r")"
  until curl -fsS "http://127.0.0.1:$(port_of "$s" "$r")/health/ready" >/dev/null 2>&1; do
    if ! running "$n" || ((SECONDS > deadline)); then
      echo "services: $n did not become ready ($(why_not_running "$n")); last log lines:"
      tail -n 20 "$STATE/logs/$n.log"; exit 1
    fi
    sleep 0.5
  done
  echo "services: $n ready on http://127.0.0.1:$(port_of "$s" "$r") (log $STATE/logs/$n.log)"
}

# Whose tokens the services trust. With Keycloak in the stack (the default; STACK_KEYCLOAK=0 leaves it out, as the
# fault tier does): Keycloak's realm through OIDC discovery, as a platform team's identity provider would be
# configured (ADR 0021, 0026). Without it: the local development token issuer (tools/dev-auth.js). The issuer is
# written to $STATE/auth-issuer for the demonstration (tools/demo/identities.ts).
# registration also reaches Keycloak's admin API (named users, suspensions, login events; ADR 0030) as the realm's
# client registration-user-admin, with the realm file's local secret unless DIVIT_KC_SECRET_REGISTRATION_USER_ADMIN
# says otherwise (as stack.sh imports it, and as the integration tests pass it); without Keycloak its user routes
# answer 404 IDENTITY_PROVIDER_NOT_CONFIGURED.
KEYCLOAK_URL_LOCAL="${KEYCLOAK_HOSTNAME:-http://127.0.0.1:${KEYCLOAK_PORT:-8180}}"
KEYCLOAK_ISSUER="$KEYCLOAK_URL_LOCAL/realms/divit"
choose_auth() {
  if [[ ${STACK_KEYCLOAK:-1} != 0 ]]; then
    AUTH_ENV="AUTH_ISSUER=$KEYCLOAK_ISSUER AUTH_OIDC_DISCOVERY=true AUTH_AUDIENCE=divit"
    IDP_ENV="IDP_ADMIN_URL=$KEYCLOAK_URL_LOCAL IDP_REALM=divit IDP_ADMIN_CLIENT_ID=registration-user-admin"
    IDP_ENV+=" IDP_ADMIN_CLIENT_SECRET=${DIVIT_KC_SECRET_REGISTRATION_USER_ADMIN:-registration-user-admin-local-secret}"
    printf '%s\n' "$KEYCLOAK_ISSUER" >"$STATE/auth-issuer"
  else
    AUTH_ENV="AUTH_JWKS_FILE=$(node tools/dev-auth.js "$STATE/dev-auth")"
    IDP_ENV=""
    printf 'divit-local\n' >"$STATE/auth-issuer"
  fi
  # The development issuer's key pair exists either way: the fault tier and tools sign with it when Keycloak is off.
  node tools/dev-auth.js "$STATE/dev-auth" >/dev/null
  # A new simulator token unless a replica of identity-validation is running with the current one.
  local i any_idv=false
  for i in $(seq "$REPLICAS"); do running "$(inst identity-validation "$i")" && any_idv=true; done
  $any_idv || new_simulator_token
}

start() {
  local s r
  choose_auth
  for s in $(built_services); do
    for r in $(seq "$REPLICAS"); do launch "$s" "$r"; done
  done
  for s in $(built_services); do
    for r in $(seq "$REPLICAS"); do await_ready "$s" "$r"; done
  done
}

# One replica only (the fault tier restarts single processes): start-one SERVICE REPLICA
start_one() {
  [[ -n ${PORTS[${1:-}]:-} && ${2:-} =~ ^[1-9]$ && $2 -le $REPLICAS ]] ||
    { echo "usage: tools/services.sh start-one <service> <replica 1..$REPLICAS>" >&2; exit 2; }
  choose_auth
  launch "$1" "$2"
  await_ready "$1" "$2"
}

# Every pid file of a service: replica 1 (<service>.pid) and any <service>-<r>.pid, whatever SERVICE_REPLICAS says now.
instances() {
  local s="$1" f
  [[ -f $STATE/run/$s.pid ]] && echo "$s"
  for f in "$STATE/run/$s"-[0-9].pid; do [[ -f $f ]] && basename "$f" .pid; done
  return 0
}

stop() {
  local s n pid i pids
  for s in registration consent identity-validation income-retrieval billing-reconciliation retention-cleanup; do
    declare -A pids=()
    for n in $(instances "$s"); do
      running "$n" || { rm -f "$STATE/run/$n.pid"; continue; }
      pids[$n]="$(cat "$STATE/run/$n.pid")"
      kill -TERM "${pids[$n]}" 2>/dev/null || true
    done
    for n in "${!pids[@]}"; do
      pid="${pids[$n]}"
      for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
      rm -f "$STATE/run/$n.pid"
      echo "services: $n stopped"
    done
    unset pids
  done
}

status() {
  local s r n rc=0
  for s in $(built_services); do
    for r in $(seq "$REPLICAS"); do
      n="$(inst "$s" "$r")"
      if running "$n"; then echo "$n up http://127.0.0.1:$(port_of "$s" "$r") (pid $(cat "$STATE/run/$n.pid"))"; else echo "$n down"; rc=1; fi
    done
  done
  return $rc
}

case "${1:-}" in
  start) start ;;
  start-one) start_one "${2:-}" "${3:-}" ;;
  stop) stop ;;
  status) status ;;
  # The environment a local replica-1 process of SERVICE gets, one assignment per line (tools/bench/services-bench.ts).
  env) [[ -n ${PORTS[${2:-}]:-} ]] || { echo "usage: tools/services.sh env <service>" >&2; exit 2; }
    choose_auth; service_env "$2" 1 | tr ' ' '\n' ;;
  *) echo "usage: tools/services.sh start|stop|status|start-one <service> <replica>|env <service>" >&2; exit 2 ;;
esac
