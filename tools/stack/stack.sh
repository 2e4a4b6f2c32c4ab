#!/usr/bin/env bash
# Local infrastructure for development and integration tests, without Docker:
#   Kafka 3.9.1 (KRaft, one combined broker+controller; KAFKA_NODES=3: a three-node cluster),
#   Apicurio Registry 3 (Confluent API), Keycloak 26 (the local OIDC provider, realm deploy/keycloak/divit-realm.json)
#   and one PostgreSQL role + database per service (and for the registry and Keycloak) on the machine's PostgreSQL
#   server.
#
# Usage: tools/stack/stack.sh up | down [--purge] | status | logs [kafka|registry|keycloak] [-f]
# See tools/stack/README.md for the environment variables, ports and troubleshooting.
set -euo pipefail
# Everything the stack writes is this user's only (directories 0700, files 0600): Kafka's log segments
# hold co-residents' stated names and birth dates (identity-data topic), the logs hold identifiers. The
# JVMs inherit the umask.
umask 077

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_DIR/../.." && pwd)"

KAFKA_VERSION=3.9.1
APICURIO_VERSION=3.3.3
KEYCLOAK_VERSION=26.7.3
SERVICES=(registration consent identity-validation income-retrieval billing-reconciliation retention-cleanup)

DIVIT_STACK_CACHE="${DIVIT_STACK_CACHE:-$HOME/.cache/divit-stack}"
DIVIT_STACK_STATE="${DIVIT_STACK_STATE:-$REPO_ROOT/.stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# 1: the single node above. N>1: a KRaft cluster of N combined broker+controller nodes (parts kafka-1..N),
# node i listening on KAFKA_PORT+2(i-1) and its controller on the port after (KAFKA_CONTROLLER_PORT unused).
KAFKA_NODES="${KAFKA_NODES:-1}"
[[ $KAFKA_NODES =~ ^[1-9]$ ]] || { printf 'stack: KAFKA_NODES must be 1..9\n' >&2; exit 2; }
# Cluster only: replication of every topic (broker defaults and internal topics) and writes' in-sync minimum.
KAFKA_REPLICATION_FACTOR_DEFAULT="${KAFKA_CLUSTER_REPLICATION_FACTOR:-$((KAFKA_NODES < 3 ? KAFKA_NODES : 3))}"
KAFKA_MIN_INSYNC_DEFAULT="${KAFKA_CLUSTER_MIN_INSYNC_REPLICAS:-$((KAFKA_REPLICATION_FACTOR_DEFAULT > 1 ? KAFKA_REPLICATION_FACTOR_DEFAULT - 1 : 1))}"
# Database names: <prefix><service with _>; another prefix keeps experiments away from the shared databases.
DIVIT_DB_PREFIX="${DIVIT_DB_PREFIX:-divit_}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
REGISTRY_MANAGEMENT_PORT="${REGISTRY_MANAGEMENT_PORT:-9081}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
STACK_TIMEOUT="${STACK_TIMEOUT:-120}" # seconds to wait for each part to answer / stop
# 1 GiB: a development broker that has collected thousands of test partitions ran out of a 512 MiB heap.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1g -Xms1g}"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
# 1 GiB: late in a full test run the registry stalled for a minute at 512 MiB (cause not proven; its H2
# storage has since been replaced by PostgreSQL, and its GC log below would show a collector pause).
REGISTRY_JAVA_OPTS="${REGISTRY_JAVA_OPTS:--Xmx1g}"
# Apicurio's global default is NONE; Confluent's is BACKWARD. Set when we start the registry.
REGISTRY_DEFAULT_COMPATIBILITY="${REGISTRY_DEFAULT_COMPATIBILITY-BACKWARD}"
# Keycloak (docs/adr/0026): 1 = a part of the stack (default), 0 = left out (the fault tier does not need it).
STACK_KEYCLOAK="${STACK_KEYCLOAK:-1}"
[[ $STACK_KEYCLOAK == [01] ]] || { printf 'stack: STACK_KEYCLOAK must be 0 or 1\n' >&2; exit 2; }
KEYCLOAK_PORT="${KEYCLOAK_PORT:-8180}"
# Health (/health/ready) and metrics; Keycloak's default 9000 is too common a port.
KEYCLOAK_MANAGEMENT_PORT="${KEYCLOAK_MANAGEMENT_PORT:-9180}"
# The issuer is <hostname>/realms/divit whatever address a request used; services verify exactly that.
KEYCLOAK_HOSTNAME="${KEYCLOAK_HOSTNAME:-http://127.0.0.1:$KEYCLOAK_PORT}"
# 512 MiB: a development realm with a few clients and users (kc.sh's own default outside containers). C1 only
# (TieredStopAtLevel=1): a restart took 19 s of CPU instead of 29 s; a local provider needs no peak throughput.
KEYCLOAK_JAVA_OPTS="${KEYCLOAK_JAVA_OPTS:--Xms64m -Xmx512m -XX:TieredStopAtLevel=1}"
# The first start creates Keycloak's schema and imports the realm: slower than the other parts on 2 cores.
KEYCLOAK_TIMEOUT="${KEYCLOAK_TIMEOUT:-$((STACK_TIMEOUT > 480 ? STACK_TIMEOUT : 480))}"
KEYCLOAK_REALM_FILE="${KEYCLOAK_REALM_FILE:-$REPO_ROOT/deploy/keycloak/divit-realm.json}"
# The master realm's first administrator (created on the first start only; local, loopback only).
KEYCLOAK_ADMIN_USER="${KEYCLOAK_ADMIN_USER:-admin}"
KEYCLOAK_ADMIN_PASSWORD="${KEYCLOAK_ADMIN_PASSWORD:-admin}"
export PGHOST PGPORT PGUSER

KAFKA_HOME="$DIVIT_STACK_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
APICURIO_HOME="$DIVIT_STACK_CACHE/apicurio-$APICURIO_VERSION"
KEYCLOAK_HOME="$DIVIT_STACK_CACHE/keycloak-$KEYCLOAK_VERSION"
# Options fixed when the distribution is built (`kc.sh build`, once per cache); `start --optimized` skips the build.
KEYCLOAK_BUILD_OPTIONS="--db=postgres --health-enabled=true --metrics-enabled=true"
LOG_DIR="$DIVIT_STACK_STATE/logs"
RUN_DIR="$DIVIT_STACK_STATE/run"
KAFKA_STATE="$DIVIT_STACK_STATE/kafka"
REGISTRY_STATE="$DIVIT_STACK_STATE/registry"
KAFKA_ADDR="127.0.0.1:$KAFKA_PORT"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
KEYCLOAK_STATE="$DIVIT_STACK_STATE/keycloak"
KEYCLOAK_URL="http://127.0.0.1:$KEYCLOAK_PORT"

say() { printf '%s\n' "$*"; }
err() { printf 'stack: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

db_name() { printf '%s%s' "$DIVIT_DB_PREFIX" "${1//-/_}"; }
# The registry's storage: its own database and role next to the services' (local password = role name).
REGISTRY_DB="$(db_name schema-registry)"
# Keycloak's storage (realms, users, sessions); KEYCLOAK_DB names another one (e.g. a second Keycloak for a test).
KEYCLOAK_DB="${KEYCLOAK_DB:-$(db_name keycloak)}"

# Kafka parts: "kafka" for the single node (unchanged), kafka-1..kafka-N for a cluster.
kafka_parts() {
  if ((KAFKA_NODES == 1)); then printf 'kafka\n'; else seq -f 'kafka-%g' 1 "$KAFKA_NODES"; fi
}
kafka_node_id() { [[ $1 == kafka ]] && printf '1' || printf '%s' "${1#kafka-}"; }
kafka_port_of() { # PART → broker port
  printf '%s' $((KAFKA_PORT + 2 * ($(kafka_node_id "$1") - 1)))
}
kafka_controller_port_of() { # PART → controller port
  [[ $1 == kafka ]] && { printf '%s' "$KAFKA_CONTROLLER_PORT"; return; }
  printf '%s' $(($(kafka_port_of "$1") + 1))
}
kafka_bootstrap() { # comma-separated broker addresses of all nodes
  local p out=()
  for p in $(kafka_parts); do out+=("127.0.0.1:$(kafka_port_of "$p")"); done
  (IFS=,; printf '%s' "${out[*]}")
}

# ---------------------------------------------------------------------------------------------
# Java: Kafka 3.9 runs on 17+; Apicurio 3.3 is compiled for 21+ (class file 65). The machines
# have OpenJDK 17 as `java` and a newer Temurin under /usr/lib/jvm, so each part picks its own.
# ---------------------------------------------------------------------------------------------
java_major() { # java_major /path/to/java -> 17, 21, 25 ... (empty if it does not run)
  "$1" -version 2>&1 | sed -n 's/.*version "\(1\.\)\{0,1\}\([0-9]*\)[."].*/\2/p' | head -n1
}

# find_java MIN_MAJOR [EXPLICIT]: the explicit binary, else $JAVA_HOME/bin/java, else `java`,
# else the newest /usr/lib/jvm/*/bin/java, whichever first is at least MIN_MAJOR.
find_java() {
  local min="$1" explicit="${2:-}" c v best="" best_v=0
  if [[ -n $explicit ]]; then
    v="$(java_major "$explicit")"
    [[ -n $v && $v -ge $min ]] && { printf '%s' "$explicit"; return 0; }
    return 1
  fi
  for c in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)"; do
    [[ -x $c ]] || continue
    v="$(java_major "$c")"
    [[ -n $v && $v -ge $min ]] && { printf '%s' "$c"; return 0; }
  done
  for c in /usr/lib/jvm/*/bin/java; do
    [[ -x $c ]] || continue
    v="$(java_major "$c")"
    [[ -n $v && $v -ge $min && $v -gt $best_v ]] && { best="$c"; best_v="$v"; }
  done
  [[ -n $best ]] && printf '%s' "$best"
}
KAFKA_JAVA="${KAFKA_JAVA:-}"
REGISTRY_JAVA="${REGISTRY_JAVA:-}"
KEYCLOAK_JAVA="${KEYCLOAK_JAVA:-}"

# ---------------------------------------------------------------------------------------------
# Processes: a part is "ours" when its pid file points at a live JVM carrying our marker.
# ---------------------------------------------------------------------------------------------
pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }
# The main log of a part, and where its stdout/stderr go (the same file for the registry).
log_file() {
  case "$1" in
    kafka) printf '%s/kafka.log' "$LOG_DIR" ;; # written by log4j, rolled at 20 MB
    kafka-*) printf '%s/%s/kafka.log' "$LOG_DIR" "$1" ;;
    registry) printf '%s/registry.log' "$LOG_DIR" ;;
    keycloak) printf '%s/keycloak.log' "$LOG_DIR" ;;
  esac
}
out_file() {
  case "$1" in
    kafka | kafka-*) printf '%s/%s.out' "$LOG_DIR" "$1" ;;
    registry) printf '%s/registry.log' "$LOG_DIR" ;;
    keycloak) printf '%s/keycloak.log' "$LOG_DIR" ;;
  esac
}

cmdline_of() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# Prints the pid of our running process for part $1, or fails.
our_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f $f ]] || return 1
  pid="$(<"$f")"
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cmdline_of "$pid")" == *"-Ddivit.stack.part=$1 "* ]] || return 1
  printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid listening on 127.0.0.1 or 0.0.0.0 port $1 (empty when unknown or not permitted).
port_pid() {
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1
}

# Describes who holds port $1 and, if it is a stack.sh JVM of another checkout, which one.
port_holder() {
  local pid cmd
  pid="$(port_pid "$1")"
  [[ -n $pid ]] || { printf 'an unknown process'; return; }
  cmd="$(cmdline_of "$pid")"
  printf 'pid %s (%s)' "$pid" "$(printf '%s' "$cmd" | cut -c1-80 | sed 's/ *$//')"
}

# If port $1 is held by a stack.sh JVM for part $2 started from another state dir, print that dir.
foreign_stack_state() {
  local pid cmd
  pid="$(port_pid "$1")"
  [[ -n $pid ]] || return 1
  cmd="$(cmdline_of "$pid")"
  [[ $cmd == *"-Ddivit.stack.part=$2 "* ]] || return 1
  printf '%s' "$cmd" | sed -n 's/.*-Ddivit\.stack\.state=\([^ ]*\).*/\1/p'
}

# start_detached PART WORKDIR COMMAND...: own session, stdin closed, output to the part's log.
start_detached() {
  local part="$1" workdir="$2"
  shift 2
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  rm -f "$(pid_file "$part")"
  printf '==== %s starting %s\n' "$(date -Is)" "$part" >>"$(out_file "$part")"
  # fd 9 is the up/down lock: the long-running JVM must not inherit it.
  (
    cd "$workdir"
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$(pid_file "$part")" "$@" \
      </dev/null >>"$(out_file "$part")" 2>&1 9>&- &
  )
  local i
  for i in $(seq 50); do [[ -s "$(pid_file "$part")" ]] && return 0; sleep 0.1; done
  die "$part: could not start (no pid file)"
}

stop_part() {
  local part="$1" pid i
  if ! pid="$(our_pid "$part")"; then
    rm -f "$(pid_file "$part")"
    say "$part: not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STACK_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    err "$part: pid $pid still running after ${STACK_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$part")"
  say "$part: stopped (pid $pid)"
}

show_log_tail() {
  local part="$1" f
  local seen=""
  for f in "$(out_file "$part")" "$(log_file "$part")"; do
    [[ -s $f && $f != "$seen" ]] || continue
    seen="$f"
    err "---- last 40 lines of $f ----"
    tail -n 40 "$f" >&2
  done
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------
kafka_tool() {
  "$KAFKA_JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j.configuration="file:$STACK_DIR/kafka/tools-log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

# A real round trip: a Metadata request to find the brokers, then ApiVersions to each.
# (TopicCommand moved to the kafka-tools artifact, which the pom does not fetch.)
kafka_answers() {
  if ((KAFKA_NODES == 1)); then
    timeout 30 "$KAFKA_JAVA" -Xmx256m -XX:TieredStopAtLevel=1 \
      -Dlog4j.configuration="file:$STACK_DIR/kafka/tools-log4j.properties" \
      -cp "$KAFKA_LIBS/*" kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$KAFKA_ADDR" 2>&1 |
      grep -q "^$KAFKA_ADDR (id: "
    return
  fi
  # Cluster: every node must be in the metadata and answer ApiVersions.
  local listed p
  listed="$(timeout 30 "$KAFKA_JAVA" -Xmx256m -XX:TieredStopAtLevel=1 \
    -Dlog4j.configuration="file:$STACK_DIR/kafka/tools-log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$(kafka_bootstrap)" 2>&1)" ||
    return 1
  for p in $(kafka_parts); do
    grep -q "^127.0.0.1:$(kafka_port_of "$p") (id: " <<<"$listed" || return 1
  done
}

render() { # render TEMPLATE OUT NAME=VALUE...
  local template="$1" out="$2" expr=() kv
  shift 2
  for kv in "$@"; do expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${expr[@]}" "$template" >"$out"
}

start_kafka() {
  (($# == 0 || KAFKA_NODES == 1)) || { start_kafka_node "$1"; return; }
  local data="$KAFKA_STATE/data" props="$KAFKA_STATE/server.properties" cluster_id
  mkdir -p "$data" "$LOG_DIR"
  render "$STACK_DIR/kafka/server.properties" "$props" \
    "KAFKA_PORT=$KAFKA_PORT" "KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT" "KAFKA_DATA_DIR=$data"
  if [[ ! -f $data/meta.properties ]]; then
    cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >>"$(out_file kafka)" 2>&1 ||
      { show_log_tail kafka; die "kafka: formatting $data failed"; }
  fi
  # shellcheck disable=SC2086 # the *_OPTS variables are word lists
  start_detached kafka "$KAFKA_STATE" "$KAFKA_JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS \
    -Ddivit.stack.part=kafka -Ddivit.stack.state="$DIVIT_STACK_STATE" \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j.configuration="file:$STACK_DIR/kafka/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$props"
}

# One node of a cluster (part kafka-<id>): its own properties, data dir, log dir and pid file.
start_kafka_node() {
  local part="$1" id node_dir data props cluster_id voters="" p
  id="$(kafka_node_id "$part")"
  node_dir="$KAFKA_STATE/node-$id"
  data="$node_dir/data"
  props="$node_dir/server.properties"
  mkdir -p "$data" "$LOG_DIR/$part"
  for p in $(kafka_parts); do
    voters+="${voters:+,}$(kafka_node_id "$p")@127.0.0.1:$(kafka_controller_port_of "$p")"
  done
  render "$STACK_DIR/kafka/server-cluster.properties" "$props" \
    "NODE_ID=$id" "QUORUM_VOTERS=$voters" "KAFKA_PORT=$(kafka_port_of "$part")" \
    "KAFKA_CONTROLLER_PORT=$(kafka_controller_port_of "$part")" "KAFKA_DATA_DIR=$data" \
    "REPLICATION_FACTOR=$KAFKA_REPLICATION_FACTOR_DEFAULT" "MIN_INSYNC_REPLICAS=$KAFKA_MIN_INSYNC_DEFAULT"
  if [[ ! -f $data/meta.properties ]]; then
    # Every node of the cluster is formatted with the same cluster id.
    [[ -s $KAFKA_STATE/cluster.id ]] || kafka_tool kafka.tools.StorageTool random-uuid >"$KAFKA_STATE/cluster.id"
    cluster_id="$(<"$KAFKA_STATE/cluster.id")"
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >>"$(out_file "$part")" 2>&1 ||
      { show_log_tail "$part"; die "$part: formatting $data failed"; }
  fi
  # shellcheck disable=SC2086 # the *_OPTS variables are word lists
  start_detached "$part" "$node_dir" "$KAFKA_JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS \
    -Ddivit.stack.part="$part" -Ddivit.stack.state="$DIVIT_STACK_STATE" \
    -Dkafka.logs.dir="$LOG_DIR/$part" -Dlog4j.configuration="file:$STACK_DIR/kafka/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$props"
}

# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------
registry_answers() { curl -fsS -m 5 -o /dev/null "$REGISTRY_URL/subjects" 2>/dev/null; }

start_registry() {
  mkdir -p "$REGISTRY_STATE/config" "$REGISTRY_STATE/tmp" "$LOG_DIR"
  # A state dir from before the registry moved to PostgreSQL: its schemas stayed in the old H2 file.
  [[ -d $REGISTRY_STATE/data ]] &&
    err "registry: $REGISTRY_STATE/data holds schemas of the old H2 storage; messages already in Kafka may name ids the new storage lacks (run 'down --purge' once)"
  render "$STACK_DIR/registry/application.properties" "$REGISTRY_STATE/config/application.properties" \
    "REGISTRY_PORT=$REGISTRY_PORT" "REGISTRY_MANAGEMENT_PORT=$REGISTRY_MANAGEMENT_PORT" \
    "REGISTRY_DB_URL=jdbc:postgresql://$PGHOST:$PGPORT/$REGISTRY_DB" \
    "REGISTRY_DB_USER=$REGISTRY_DB" "REGISTRY_DB_PASSWORD=$REGISTRY_DB"
  # Quarkus logs to stdout; the registry's stdout is its log file.
  # shellcheck disable=SC2086
  # The GC log (two files of at most 20 MiB) tells a collector pause from a stall elsewhere.
  start_detached registry "$REGISTRY_STATE" "$REGISTRY_JAVA" $REGISTRY_JAVA_OPTS \
    "-Xlog:gc*:file=$LOG_DIR/registry-gc.log:time,uptime,level:filecount=2,filesize=20m" \
    -Ddivit.stack.part=registry -Ddivit.stack.state="$DIVIT_STACK_STATE" \
    -Djava.io.tmpdir="$REGISTRY_STATE/tmp" \
    -Dquarkus.http.port="$REGISTRY_PORT" -Dquarkus.http.host=127.0.0.1 \
    -jar "$APICURIO_HOME/quarkus-run.jar"
}

# ---------------------------------------------------------------------------------------------
# Keycloak (docs/adr/0026): the Quarkus distribution from Maven Central, built once per cache for PostgreSQL
# (`kc.sh build`, about 2 minutes), then `start --optimized` with this checkout's own home directory
# (<state>/keycloak/home: conf/keycloak.conf and data/import/ with the realm), so the cache stays shared.
# ---------------------------------------------------------------------------------------------
keycloak_answers() { curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$KEYCLOAK_MANAGEMENT_PORT/health/ready" 2>/dev/null; }
# The realm is served too (the import runs before the server reports ready, but say so explicitly).
keycloak_realm_answers() {
  curl -fsS -m 5 -o /dev/null "$KEYCLOAK_URL/realms/divit/.well-known/openid-configuration" 2>/dev/null
}

keycloak_built() { [[ -f $KEYCLOAK_HOME/.divit-build && "$(<"$KEYCLOAK_HOME/.divit-build")" == "$KEYCLOAK_BUILD_OPTIONS" ]]; }

# Builds the shared distribution for our options once (a lock: two checkouts may start at the same time).
build_keycloak() {
  keycloak_built && return 0
  local lock="$DIVIT_STACK_CACHE/keycloak-$KEYCLOAK_VERSION.lock" t0=$SECONDS
  (
    exec 8>"$lock"
    flock -w 600 8 || die "keycloak: another build of $KEYCLOAK_HOME holds $lock"
    keycloak_built && exit 0
    say "keycloak: building $KEYCLOAK_HOME for PostgreSQL (once per cache; about 2 minutes on 2 cores) ..."
    mkdir -p "$LOG_DIR"
    # shellcheck disable=SC2086 # the build options are a word list
    JAVA="$KEYCLOAK_JAVA" JAVA_OPTS_KC_HEAP="-Xmx512m" "$KEYCLOAK_HOME/bin/kc.sh" build $KEYCLOAK_BUILD_OPTIONS \
      >"$LOG_DIR/keycloak-build.log" 2>&1 ||
      { tail -n 40 "$LOG_DIR/keycloak-build.log" >&2; die "keycloak: 'kc.sh build' failed (log: $LOG_DIR/keycloak-build.log)"; }
    printf '%s' "$KEYCLOAK_BUILD_OPTIONS" >"$KEYCLOAK_HOME/.divit-build"
  ) || exit 1
  say "keycloak: built in $((SECONDS - t0))s"
}

# A realm file that changed since it was imported: --import-realm skips a realm that exists, so the (local)
# database is dropped and created again and the new file imported on this start. The imported file's hash is
# kept on the database itself (its comment), not in this checkout's state: a clean clone on a machine whose
# PostgreSQL holds an older import (another checkout's, a CI run's) must not run on that older realm.
keycloak_imported_hash() {
  psql_admin -Atc "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$KEYCLOAK_DB'"
}
# Once the started server serves the realm: the database holds the import of this file.
keycloak_record_import() {
  psql_admin -c "COMMENT ON DATABASE \"$KEYCLOAK_DB\" IS 'realm-sha256:$(<"$KEYCLOAK_STATE/realm.sha256")'" >/dev/null ||
    die "keycloak: could not record the realm's hash on $KEYCLOAK_DB"
}
keycloak_realm_changed() {
  local now stored
  now="$(sha256sum "$KEYCLOAK_REALM_FILE" | cut -d' ' -f1)"
  stored="$(keycloak_imported_hash)" || return 1
  # No database yet: nothing to re-create. A database without a hash: imported before the hash was kept there.
  [[ -n $(psql_admin -Atc "SELECT 1 FROM pg_database WHERE datname = '$KEYCLOAK_DB'") ]] || return 1
  [[ $stored != "realm-sha256:$now" ]]
}

start_keycloak() {
  local home="$KEYCLOAK_STATE/home"
  [[ -f $KEYCLOAK_REALM_FILE ]] || die "keycloak: realm file $KEYCLOAK_REALM_FILE not found"
  mkdir -p "$home/conf" "$home/data/import" "$home/providers" "$KEYCLOAK_STATE/tmp" "$LOG_DIR"
  # The built server (lib/quarkus/) and themes are the cache's; conf/, data/ and providers/ are this checkout's.
  ln -sfn "$KEYCLOAK_HOME/lib" "$home/lib"
  ln -sfn "$KEYCLOAK_HOME/themes" "$home/themes"
  if keycloak_realm_changed; then
    say "keycloak: $KEYCLOAK_REALM_FILE changed since its import; re-creating the database $KEYCLOAK_DB"
    psql_admin -c "DROP DATABASE IF EXISTS \"$KEYCLOAK_DB\" WITH (FORCE)" >/dev/null ||
      die "keycloak: could not drop $KEYCLOAK_DB"
    pg_bootstrap || die "keycloak: could not create $KEYCLOAK_DB"
  fi
  rm -f "$home/data/import/"*.json
  cp "$KEYCLOAK_REALM_FILE" "$home/data/import/divit-realm.json"
  render "$STACK_DIR/keycloak/keycloak.conf" "$home/conf/keycloak.conf" \
    "KEYCLOAK_PORT=$KEYCLOAK_PORT" "KEYCLOAK_MANAGEMENT_PORT=$KEYCLOAK_MANAGEMENT_PORT" \
    "KEYCLOAK_HOSTNAME=$KEYCLOAK_HOSTNAME" "KEYCLOAK_DB_URL=jdbc:postgresql://$PGHOST:$PGPORT/$KEYCLOAK_DB" \
    "KEYCLOAK_DB_USER=$KEYCLOAK_DB" "KEYCLOAK_DB_PASSWORD=$KEYCLOAK_DB" \
    "KEYCLOAK_ADMIN_USER=$KEYCLOAK_ADMIN_USER" "KEYCLOAK_ADMIN_PASSWORD=$KEYCLOAK_ADMIN_PASSWORD"
  sha256sum "$KEYCLOAK_REALM_FILE" | cut -d' ' -f1 >"$KEYCLOAK_STATE/realm.sha256"
  # What bin/kc.sh runs, without its wrapper shell (the pid file must name the JVM); kc.home.dir is ours.
  # shellcheck disable=SC2086 # KEYCLOAK_JAVA_OPTS is a word list
  start_detached keycloak "$KEYCLOAK_STATE" "$KEYCLOAK_JAVA" $KEYCLOAK_JAVA_OPTS \
    -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8 -Djava.security.egd=file:/dev/urandom \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.security=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --enable-native-access=ALL-UNNAMED -Duser.language=en -Duser.country=US \
    -Djava.util.concurrent.ForkJoinPool.common.threadFactory=io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory \
    -Ddivit.stack.part=keycloak -Ddivit.stack.state="$DIVIT_STACK_STATE" \
    -Djava.io.tmpdir="$KEYCLOAK_STATE/tmp" \
    -Dkc.home.dir="$home" -Djboss.server.config.dir="$home/conf" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dpicocli.disable.closures=true \
    -Dquarkus-log-max-startup-records=10000 \
    -cp "$home/lib/quarkus-run.jar" io.quarkus.bootstrap.runner.QuarkusEntryPoint \
    start --optimized --import-realm
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
PG_START_HINT='start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'

pg_answers() { pg_isready -q -t 3 >/dev/null 2>&1; }
psql_admin() { PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

# True when no Kafka node of this state dir has been formatted yet.
kafka_state_fresh() {
  local part
  if ((KAFKA_NODES == 1)); then
    [[ ! -f $KAFKA_STATE/data/meta.properties ]]
  else
    for part in $(kafka_parts); do
      [[ -f $KAFKA_STATE/node-$(kafka_node_id "$part")/data/meta.properties ]] && return 1
    done
    return 0
  fi
}

drop_stale_registry_db() {
  pg_answers || return 0
  local exists
  exists="$(psql_admin -Atc "SELECT 1 FROM pg_database WHERE datname = '$REGISTRY_DB'" 2>/dev/null || true)"
  [[ $exists == 1 ]] || return 0
  psql_admin -c "DROP DATABASE IF EXISTS \"$REGISTRY_DB\" WITH (FORCE)" >/dev/null ||
    die "registry: could not drop $REGISTRY_DB, left by an earlier stack state (its schemas describe Kafka data that is gone)"
  say "registry: dropped $REGISTRY_DB, left by an earlier stack state (new Kafka data, so new schema ids)"
}

pg_bootstrap() {
  local names=() s
  for s in "${SERVICES[@]}"; do names+=("$(db_name "$s")"); done
  names+=("$REGISTRY_DB")
  ((STACK_KEYCLOAK)) && names+=("$KEYCLOAK_DB")
  local list
  list="{$(IFS=,; printf '%s' "${names[*]}")}"
  psql_admin -v names="$list" -f "$STACK_DIR/postgres/bootstrap.sql" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Waiting
# ---------------------------------------------------------------------------------------------
# wait_for PART CHECK_FUNCTION [SECONDS]: until the check passes, our process dies, or the deadline
# (STACK_TIMEOUT unless given).
wait_for() {
  local part="$1" check="$2" timeout="${3:-$STACK_TIMEOUT}"
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if $check; then return 0; fi
    if [[ -f "$(pid_file "$part")" ]] && ! our_pid "$part" >/dev/null; then
      show_log_tail "$part"
      die "$part: process exited during startup (logs above; full log: $(log_file "$part"))"
    fi
    sleep 0.5
  done
  show_log_tail "$part"
  die "$part: not answering after ${timeout}s (logs above; full log: $(log_file "$part"))"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
preflight() {
  local problems=0 v
  if ! KAFKA_JAVA="$(find_java 17 "$KAFKA_JAVA")" || [[ -z $KAFKA_JAVA ]]; then
    err "missing: Java 17+ for Kafka ${KAFKA_VERSION} (Debian: apt-get install openjdk-17-jre-headless; or set KAFKA_JAVA=/path/to/bin/java)"
    problems=1
  fi
  if ! REGISTRY_JAVA="$(find_java 21 "$REGISTRY_JAVA")" || [[ -z $REGISTRY_JAVA ]]; then
    err "missing: Java 21+ for Apicurio ${APICURIO_VERSION} (none found in JAVA_HOME, PATH or /usr/lib/jvm; install one and set REGISTRY_JAVA=/path/to/bin/java)"
    problems=1
  fi
  if ((STACK_KEYCLOAK)) && { ! KEYCLOAK_JAVA="$(find_java 21 "$KEYCLOAK_JAVA")" || [[ -z $KEYCLOAK_JAVA ]]; }; then
    err "missing: Java 21+ for Keycloak ${KEYCLOAK_VERSION} (install one and set KEYCLOAK_JAVA=/path/to/bin/java)"
    problems=1
  fi
  for v in curl psql pg_isready setsid ss flock sha256sum; do
    command -v "$v" >/dev/null || { err "missing: $v"; problems=1; }
  done
  if ! jars_present && ! command -v mvn >/dev/null; then
    err "missing: mvn (needed once to fetch Kafka, Apicurio and Keycloak into $DIVIT_STACK_CACHE; apt-get install maven)"
    problems=1
  fi
  if command -v pg_isready >/dev/null && ! pg_answers; then
    err "PostgreSQL is not answering on $PGHOST:$PGPORT; $PG_START_HINT"
    problems=1
  fi
  local part port holder checks=() p
  for p in $(kafka_parts); do checks+=("$p:$(kafka_port_of "$p")" "$p:$(kafka_controller_port_of "$p")"); done
  ((STACK_KEYCLOAK)) && checks+=("keycloak:$KEYCLOAK_PORT" "keycloak:$KEYCLOAK_MANAGEMENT_PORT")
  for part in "${checks[@]}" registry:$REGISTRY_PORT registry:$REGISTRY_MANAGEMENT_PORT; do
    port="${part#*:}"
    part="${part%%:*}"
    our_pid "$part" >/dev/null && continue
    port_open "$port" || continue
    foreign_stack_state "$port" "$part" >/dev/null && continue
    holder="$(port_holder "$port")"
    err "port $port (for $part) is taken by $holder; stop it or choose another port (see tools/stack/README.md)"
    problems=1
  done
  ((problems == 0)) || die "cannot start the stack (see above)"
}

jars_present() {
  [[ -f $KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar && -f $APICURIO_HOME/quarkus-run.jar ]] &&
    { ((!STACK_KEYCLOAK)) || [[ -f $KEYCLOAK_HOME/lib/quarkus-run.jar ]]; }
}

resolve_jars() {
  if ! jars_present; then
    say "fetching Kafka $KAFKA_VERSION, Apicurio $APICURIO_VERSION and Keycloak $KEYCLOAK_VERSION into $DIVIT_STACK_CACHE (once) ..."
    mvn -q -B -f "$STACK_DIR/pom.xml" -Dstack.cache="$DIVIT_STACK_CACHE" -Dkafka.version="$KAFKA_VERSION" \
      -Dapicurio.version="$APICURIO_VERSION" -Dkeycloak.version="$KEYCLOAK_VERSION" package ||
      die "Maven could not resolve the stack (needs Maven Central); see the output above"
  fi
  ((!STACK_KEYCLOAK)) || build_keycloak
}

cmd_up() {
  local t0=$SECONDS
  mkdir -p "$DIVIT_STACK_STATE" "$RUN_DIR" "$LOG_DIR"
  # State written before the umask above (older checkouts) was world-readable: close it.
  chmod -R go-rwx "$DIVIT_STACK_STATE"
  exec 9>"$RUN_DIR/lock"
  flock -w "$STACK_TIMEOUT" 9 || die "another 'stack.sh up/down' holds $RUN_DIR/lock"
  preflight
  resolve_jars

  local kafka_note="" registry_note="" keycloak_note="" other started_registry=0 started_keycloak=0 part
  # Kafka data this state dir has never held (a fresh clone, CI, after 'down --purge'): the registry's schemas
  # and ids describe the Kafka data they were registered for, so a registry database left on this PostgreSQL
  # by an earlier state dir goes too. Otherwise every clean-clone run adds its test subjects to one registry
  # database that never shrinks (one CI run saw a lookup take over 60 s).
  # Not while another state dir's Kafka or registry runs on these ports: the database is theirs then.
  if kafka_state_fresh && ! port_open "$KAFKA_PORT" && ! registry_answers; then drop_stale_registry_db; fi
  if ((KAFKA_NODES == 1)); then
    if our_pid kafka >/dev/null; then
      kafka_note=" (already running)"
    elif other="$(foreign_stack_state "$KAFKA_PORT" kafka)"; then
      kafka_note=" (shared: started from $other)"
    else
      start_kafka
    fi
  else
    # Cluster: start every node that is not running (a quorum needs a majority before any answers).
    local started=()
    for part in $(kafka_parts); do
      our_pid "$part" >/dev/null && continue
      foreign_stack_state "$(kafka_port_of "$part")" "$part" >/dev/null && continue
      start_kafka "$part"
      started+=("$part")
    done
    kafka_note=" ($KAFKA_NODES nodes, replication $KAFKA_REPLICATION_FACTOR_DEFAULT, min.insync.replicas $KAFKA_MIN_INSYNC_DEFAULT${started[*]:+; started ${started[*]}})"
  fi
  # Before the registry: its storage is one of these databases.
  pg_bootstrap || die "postgres: creating the service and registry roles/databases failed (as $PGUSER@$PGHOST:$PGPORT)"
  if our_pid registry >/dev/null; then
    registry_note=" (already running)"
  elif other="$(foreign_stack_state "$REGISTRY_PORT" registry)"; then
    registry_note=" (shared: started from $other)"
  else
    start_registry
    started_registry=1
  fi
  if ((STACK_KEYCLOAK)); then
    if our_pid keycloak >/dev/null; then
      keycloak_note=" (already running)"
      keycloak_realm_changed &&
        err "keycloak: $KEYCLOAK_REALM_FILE changed since its import; 'stack.sh down' then 'up' imports it (a new database)"
    elif other="$(foreign_stack_state "$KEYCLOAK_PORT" keycloak)"; then
      keycloak_note=" (shared: started from $other)"
    else
      start_keycloak
      started_keycloak=1
    fi
  fi

  for part in $(kafka_parts); do wait_for "$part" kafka_answers; done
  wait_for registry registry_answers
  if ((STACK_KEYCLOAK)); then
    wait_for keycloak keycloak_answers "$KEYCLOAK_TIMEOUT"
    wait_for keycloak keycloak_realm_answers "$KEYCLOAK_TIMEOUT"
    ((started_keycloak)) && keycloak_record_import
  fi
  if ((started_registry)) && [[ -n $REGISTRY_DEFAULT_COMPATIBILITY ]]; then
    curl -fsS -m 5 -o /dev/null -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      -d "{\"compatibility\":\"$REGISTRY_DEFAULT_COMPATIBILITY\"}" "$REGISTRY_URL/config" ||
      err "registry: could not set the global compatibility to $REGISTRY_DEFAULT_COMPATIBILITY"
  fi

  say "kafka     up  $(kafka_bootstrap)$kafka_note"
  say "registry  up  $REGISTRY_URL$registry_note"
  ((STACK_KEYCLOAK)) && say "keycloak  up  $KEYCLOAK_URL/realms/divit (issuer; health :$KEYCLOAK_MANAGEMENT_PORT)$keycloak_note"
  say "postgres  up  $PGHOST:$PGPORT (databases: $(for s in "${SERVICES[@]}" schema-registry; do printf '%s ' "$(db_name "$s")"; done | sed 's/ $//')$( ((STACK_KEYCLOAK)) && printf ' %s' "$KEYCLOAK_DB"))"
  say "stack up in $((SECONDS - t0))s; logs in $LOG_DIR"
}

cmd_down() {
  local purge=0
  [[ ${1:-} == --purge ]] && purge=1
  [[ -d $DIVIT_STACK_STATE ]] || { say "nothing to stop ($DIVIT_STACK_STATE does not exist)"; return 0; }
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w "$STACK_TIMEOUT" 9 || die "another 'stack.sh up/down' holds $RUN_DIR/lock"
  stop_part keycloak
  stop_part registry
  if ((KAFKA_NODES == 1)); then
    stop_part kafka
  else
    # All nodes at once: stopped one by one, the last ones lose their quorum and wait for it.
    local part
    for part in $(kafka_parts); do stop_part "$part" & done
    wait
  fi
  if ((purge)); then
    case "$DIVIT_STACK_STATE" in
      "" | / | "$HOME" | "$REPO_ROOT") die "refusing to purge DIVIT_STACK_STATE=$DIVIT_STACK_STATE" ;;
    esac
    rm -rf "$DIVIT_STACK_STATE"
    # The registry's schemas go with the Kafka data they describe (the services' databases stay).
    if pg_answers; then
      psql_admin -c "DROP DATABASE IF EXISTS \"$REGISTRY_DB\" WITH (FORCE)" >/dev/null ||
        err "could not drop the registry database $REGISTRY_DB"
      # Keycloak's realms, users and sessions go too: the next 'up' imports the realm file afresh.
      psql_admin -c "DROP DATABASE IF EXISTS \"$KEYCLOAK_DB\" WITH (FORCE)" >/dev/null ||
        err "could not drop the Keycloak database $KEYCLOAK_DB"
    else
      err "postgres is not answering: the registry database $REGISTRY_DB and Keycloak's $KEYCLOAK_DB were not dropped"
    fi
    say "purged $DIVIT_STACK_STATE (Kafka data, registry database $REGISTRY_DB, Keycloak database $KEYCLOAK_DB, logs)"
  fi
}

cmd_status() {
  local down=0 note pid other
  KAFKA_JAVA="$(find_java 17 "$KAFKA_JAVA")" || KAFKA_JAVA=java
  local part addr cluster_ok=1
  if ((KAFKA_NODES > 1)); then [[ -d $KAFKA_LIBS ]] && kafka_answers || cluster_ok=0; fi
  for part in $(kafka_parts); do
    note=""
    addr="127.0.0.1:$(kafka_port_of "$part")"
    if pid="$(our_pid "$part")"; then note=" (pid $pid)"; elif other="$(foreign_stack_state "$(kafka_port_of "$part")" "$part")"; then note=" (started from $other)"; fi
    if ((KAFKA_NODES == 1)); then
      if port_open "$KAFKA_PORT" && [[ -d $KAFKA_LIBS ]] && kafka_answers; then
        say "kafka     up    $KAFKA_ADDR$note"
      else
        say "kafka     down  $KAFKA_ADDR$note"; down=1
      fi
    elif port_open "$(kafka_port_of "$part")" && [[ -n $note ]]; then
      say "$(printf '%-9s' "$part") up    $addr$note"
    else
      say "$(printf '%-9s' "$part") down  $addr$note"; down=1
    fi
  done
  ((cluster_ok)) || { say "kafka     cluster not answering on $(kafka_bootstrap)"; down=1; }
  note=""
  if pid="$(our_pid registry)"; then note=" (pid $pid)"; elif other="$(foreign_stack_state "$REGISTRY_PORT" registry)"; then note=" (started from $other)"; fi
  if registry_answers; then
    say "registry  up    $REGISTRY_URL$note"
  else
    say "registry  down  $REGISTRY_URL$note"; down=1
  fi
  if ((STACK_KEYCLOAK)); then
    note=""
    if pid="$(our_pid keycloak)"; then note=" (pid $pid)"; elif other="$(foreign_stack_state "$KEYCLOAK_PORT" keycloak)"; then note=" (started from $other)"; fi
    if keycloak_answers && keycloak_realm_answers; then
      say "keycloak  up    $KEYCLOAK_URL/realms/divit$note"
    else
      say "keycloak  down  $KEYCLOAK_URL/realms/divit (health http://127.0.0.1:$KEYCLOAK_MANAGEMENT_PORT/health/ready)$note"; down=1
    fi
  fi
  if pg_answers; then
    say "postgres  up    $PGHOST:$PGPORT"
    local existing s db
    existing="$(psql_admin -Atc "SELECT datname FROM pg_database" 2>/dev/null || true)"
    local dbs=()
    for s in "${SERVICES[@]}" schema-registry; do dbs+=("$(db_name "$s")"); done
    ((STACK_KEYCLOAK)) && dbs+=("$KEYCLOAK_DB")
    for db in "${dbs[@]}"; do
      if grep -qx "$db" <<<"$existing"; then
        say "  db      up    postgresql://$db@$PGHOST:$PGPORT/$db"
      else
        say "  db      down  postgresql://$db@$PGHOST:$PGPORT/$db (missing; run: npm run stack:up)"; down=1
      fi
    done
  else
    say "postgres  down  $PGHOST:$PGPORT ($PG_START_HINT)"; down=1
  fi
  return "$down"
}

cmd_logs() {
  local follow=() parts=() a f
  for a in "$@"; do
    case "$a" in
      -f | --follow) follow=(-F) ;;
      kafka) parts+=($(kafka_parts)) ;;
      registry | keycloak | kafka-[1-9]) parts+=("$a") ;;
      *) die "usage: stack.sh logs [kafka|kafka-N|registry|keycloak] [-f]" ;;
    esac
  done
  ((${#parts[@]})) || { parts=($(kafka_parts) registry); ((!STACK_KEYCLOAK)) || parts+=(keycloak); }
  local files=()
  for a in "${parts[@]}"; do
    f="$(log_file "$a")"
    [[ -f $f ]] && files+=("$f") || err "$a: no log yet at $f"
  done
  ((${#files[@]})) || exit 1
  tail -n "${LOG_LINES:-200}" "${follow[@]}" "${files[@]}"
}

usage() {
  cat <<EOF
usage: tools/stack/stack.sh <command>
  up                      start Kafka + registry + Keycloak, create the databases, wait until all answer
                          (KAFKA_NODES=3: a three-node Kafka cluster; STACK_KEYCLOAK=0: no Keycloak;
                          see tools/stack/README.md)
  down [--purge]          stop Keycloak + registry + Kafka; --purge also deletes $DIVIT_STACK_STATE
                          and the registry's and Keycloak's databases
  status                  one line per part; exit code 1 if anything is down
  logs [kafka|registry|keycloak] [-f]   show (or follow) the logs
EOF
}

case "${1:-}" in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
