#!/usr/bin/env bash
# Watches the local registry while the test tiers run (started and stopped by tools/test.sh): every
# REGISTRY_WATCH_INTERVAL seconds (default 5) it asks GET /config/<a subject that does not exist>, the ccompat path
# that once stayed unanswered for 60 s in CI (docs/adr/0006). When no answer comes within REGISTRY_WATCH_TIMEOUT
# seconds (default 15), it writes what a stall needs to be understood to $LOG_DIR/registry-stall-<time>.txt: a
# thread dump of the registry's JVM (jcmd), its database sessions and locks (pg_stat_activity, pg_locks), and the
# registry's last log lines; then prints one line. It changes nothing; it only looks.
#   tools/stack/registry-watch.sh start | stop | report
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STATE="${DIVIT_STACK_STATE:-$PWD/.stack}"
LOG_DIR="$STATE/logs"
PID_FILE="$STATE/run/registry-watch.pid"
REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:${REGISTRY_PORT:-8081}/apis/ccompat/v7}"
REGISTRY_DB="${DIVIT_DB_PREFIX:-divit_}schema_registry"
INTERVAL="${REGISTRY_WATCH_INTERVAL:-5}"
TIMEOUT="${REGISTRY_WATCH_TIMEOUT:-15}"

registry_pid() { [[ -f $STATE/run/registry.pid ]] && cat "$STATE/run/registry.pid"; }

dump() {
  local at file pid java jcmd
  at="$(date -u +%Y%m%dT%H%M%SZ)"
  file="$LOG_DIR/registry-stall-$at.txt"
  pid="$(registry_pid)"
  {
    echo "registry stall at $at: GET /config/<probe> unanswered within ${TIMEOUT}s ($REGISTRY_URL)"
    echo "== thread dump (pid ${pid:-unknown})"
    if [[ -n $pid ]] && java="$(readlink -f "/proc/$pid/exe" 2>/dev/null)"; then
      jcmd="$(dirname "$java")/jcmd"
      [[ -x $jcmd ]] && timeout 30 "$jcmd" "$pid" Thread.print 2>&1 || echo "(no jcmd next to $java)"
    fi
    echo "== pg_stat_activity ($REGISTRY_DB)"
    PGCONNECT_TIMEOUT=5 psql -X -d postgres -c "SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS in_tx,
      now() - state_change AS in_state, left(query, 200) AS query FROM pg_stat_activity WHERE datname = '$REGISTRY_DB'" 2>&1
    echo "== pg_locks not granted"
    PGCONNECT_TIMEOUT=5 psql -X -d postgres -c "SELECT l.pid, l.locktype, l.mode, l.relation::regclass, a.query
      FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE NOT l.granted" 2>&1
    echo "== last registry log lines"
    tail -n 40 "$LOG_DIR/registry.log" 2>/dev/null
  } >"$file" 2>&1
  chmod 600 "$file"
  echo "registry-watch: the registry did not answer within ${TIMEOUT}s at $at; evidence in $file"
}

watch_loop() {
  local probe="registry-watch-probe"
  while sleep "$INTERVAL"; do
    curl -s -o /dev/null -m "$TIMEOUT" "$REGISTRY_URL/config/$probe" && continue
    # Not answering at all (stopped) is not a stall.
    [[ -n $(registry_pid) ]] && kill -0 "$(registry_pid)" 2>/dev/null || continue
    # At most five dumps a run: a long stall would otherwise write one every few seconds.
    (($(ls "$LOG_DIR"/registry-stall-*.txt 2>/dev/null | wc -l) < 5)) && dump
  done
}

case "${1:-}" in
  start)
    mkdir -p "$LOG_DIR" "$STATE/run"
    [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && exit 0
    watch_loop >>"$LOG_DIR/registry-watch.log" 2>&1 &
    echo $! >"$PID_FILE"
    ;;
  stop)
    [[ -f $PID_FILE ]] && { kill "$(cat "$PID_FILE")" 2>/dev/null; rm -f "$PID_FILE"; }
    exit 0
    ;;
  report)
    n="$(ls "$LOG_DIR"/registry-stall-*.txt 2>/dev/null | wc -l)"
    if ((n > 0)); then
      echo "test: registry stalls seen by tools/stack/registry-watch.sh: $n (evidence: $LOG_DIR/registry-stall-*.txt)"
      cat "$LOG_DIR/registry-watch.log" 2>/dev/null
    fi
    exit 0
    ;;
  *) echo "usage: tools/stack/registry-watch.sh start|stop|report" >&2; exit 2 ;;
esac
