#!/usr/bin/env bash
# The whole local stack: Kafka + the Closeloop services, in the background.
#
#   tools/stack.sh start [service...]   no args: Node, node_modules, PostgreSQL check, Kafka, build,
#                                        every service, wait for /health/ready.
#                                        named: only those services (Kafka and PostgreSQL must be up).
#   tools/stack.sh stop [service...]    no args: every service, then Kafka. named: only those.
#   tools/stack.sh restart <service...> stop + rebuild + start those services only
#   tools/stack.sh status               each service (running/stopped, port, pid, ready) + Kafka
#   tools/stack.sh logs [service]       prints the log dir (or that service's log file)
#
# Services and their ports: deploy/services.json, the one list (read with tools/services/service-list.mjs).
#
# Env:
#   DATABASE_URL          PostgreSQL the services use (default postgres://postgres@127.0.0.1:5432/closeloop)
#   KAFKA_BROKERS         external Kafka cluster instead of the local one (see tools/kafka/kafka.sh)
#   KAFKA_PORT            port of the local broker (default 9092; the services are pointed at it)
#   CLOSELOOP_STATE_DIR   state root instead of <repo>/.run (logs/, pids/, kafka/)
#   LOG_LEVEL, SIMULATOR_FAULTS, ...   passed through to the services
#   STACK_READY_TIMEOUT   seconds to wait for each /health/ready (default 60)
#   STACK_STOP_TIMEOUT    seconds between SIGTERM and SIGKILL (default 15)
#   STACK_SKIP_BUILD=1    do not run the swc build before starting
#   STACK_NODE_ARGS       extra node options for the services (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a run)
#   AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL   intake's identity provider; unset: development keys
#                         in $CLOSELOOP_STATE_DIR/dev-auth (tools/auth/dev-identity.mjs mints tokens)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_SH="$ROOT/tools/kafka/kafka.sh"

READY_TIMEOUT="${STACK_READY_TIMEOUT:-60}"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-15}"
DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/closeloop"

STATE_ROOT="${CLOSELOOP_STATE_DIR:-$ROOT/.run}"
mkdir -p "$STATE_ROOT"
STATE_ROOT="$(cd "$STATE_ROOT" && pwd)"
LOG_DIR="$STATE_ROOT/logs" # the same folder tools/kafka/kafka.sh logs to
PID_DIR="$STATE_ROOT/pids"
LOCK_FILE="$STATE_ROOT/stack.lock"

die() { echo "stack.sh: ERROR: $*" >&2; exit 1; }
info() { echo "stack.sh: $*"; }

ensure_node() {
  # shellcheck source=node/ensure-node.sh
  source "$ROOT/tools/node/ensure-node.sh" || die "could not provide Node 24 (tools/node/ensure-node.sh)"
  NODE="$(command -v node)"
}

# The services, in the order of deploy/services.json, and each one's HTTP port.
ensure_node
SERVICES=()
declare -A PORTS=()
SERVICE_LINES="$("$NODE" "$ROOT/tools/services/service-list.mjs" name port)" || die "cannot read the services from deploy/services.json (above)"
while read -r svc port; do
  SERVICES+=("$svc")
  PORTS[$svc]="$port"
done <<<"$SERVICE_LINES"

port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# ---------------------------------------------------------------- helpers

entry_of() { echo "$ROOT/dist/apps/$1/src/main.js"; }
pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }
read_pid() { local f; f="$(pid_file "$1")"; [[ -f "$f" ]] && cat "$f" || true; }

# True if pid is alive and runs this checkout's build of the service (absolute entry path).
is_our_service() { # service pid
  local svc="$1" pid="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *"$(entry_of "$svc")"* ]]
}

# HTTP status of /health/ready ("000" when nothing answers).
ready_code() { # port
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/health/ready" 2>/dev/null || true
}

check_services() { # validates names
  local svc
  for svc in "$@"; do
    [[ -n "${PORTS[$svc]:-}" ]] || die "unknown service '$svc' (known: ${SERVICES[*]})"
  done
}

# One writer at a time (start/stop/restart); fd 9 is closed for every child we launch.
take_lock() {
  exec 9>"$LOCK_FILE"
  flock -w 180 9 || die "another tools/stack.sh is busy (lock $LOCK_FILE)"
}

ensure_node_modules() {
  if [[ ! -d "$ROOT/node_modules" ]]; then
    info "node_modules missing: npm install (from package-lock.json; see tools/test-all.sh for why not npm ci)"
    (cd "$ROOT" && npm install --no-audit --no-fund) 9>&- || die "npm install failed"
  fi
}

# host and port of DATABASE_URL (postgres://user:pw@host:port/db?x=y)
db_host_port() {
  local url="${DATABASE_URL:-$DEFAULT_DATABASE_URL}" rest authority hostport
  rest="${url#*://}"
  authority="${rest%%/*}"
  authority="${authority%%\?*}"
  hostport="${authority##*@}"
  DB_HOST="${hostport%%:*}"
  DB_PORT=5432
  [[ "$hostport" == *:* ]] && DB_PORT="${hostport##*:}"
  [[ -n "$DB_HOST" ]] || DB_HOST=127.0.0.1
}

check_postgres() {
  db_host_port
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -t 5 || die "PostgreSQL not reachable at $DB_HOST:$DB_PORT (pg_isready failed; check DATABASE_URL)"
  else
    port_open "$DB_HOST" "$DB_PORT" || die "PostgreSQL not reachable at $DB_HOST:$DB_PORT (check DATABASE_URL)"
  fi
  info "PostgreSQL reachable at $DB_HOST:$DB_PORT"
}

check_kafka_reachable() {
  local first="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
  first="${first%%,*}"
  first="${first#*://}"
  port_open "${first%:*}" "${first##*:}" ||
    die "Kafka not reachable at $first; start the whole stack first: bash tools/stack.sh start"
}

build() {
  [[ "${_BUILT:-}" == 1 ]] && return 0 # restart already built
  if [[ "${STACK_SKIP_BUILD:-}" == 1 ]]; then info "build skipped (STACK_SKIP_BUILD=1)"; return 0; fi
  local t0=$SECONDS
  info "building (swc apps libs -> dist) ..."
  (cd "$ROOT" && ./node_modules/.bin/swc apps libs -d dist --config-file .swcrc --quiet) 9>&- || die "build failed"
  info "built ($((SECONDS - t0)) s)"
}

# Every service authenticates every caller (README, "Security"). Unless AUTH_JWKS_URL or
# AUTH_JWKS_FILE says where the identity provider's keys are, the development identity provider's
# keys are used (created once in $STATE_ROOT/dev-auth by tools/auth/dev-identity.mjs, which also
# mints tokens for them). Every service refuses such a key file with NODE_ENV=production.
ensure_dev_auth() {
  [[ -n "${AUTH_JWKS_URL:-}" || -n "${AUTH_JWKS_FILE:-}" ]] && return 0
  local jwks
  jwks="$(CLOSELOOP_STATE_DIR="$STATE_ROOT" "$NODE" "$ROOT/tools/auth/dev-identity.mjs" init "$STATE_ROOT/dev-auth" 9>&-)" ||
    die "could not create the development identity provider's keys (tools/auth/dev-identity.mjs)"
  export AUTH_JWKS_FILE="$jwks"
  export AUTH_ISSUER="${AUTH_ISSUER:-urn:closeloop:dev-identity-provider}"
  export AUTH_AUDIENCE="${AUTH_AUDIENCE:-closeloop-intake}"
  info "the services verify tokens with DEVELOPMENT keys ($jwks); a token: node tools/auth/dev-identity.mjs token --sub you@acme.test --roles requester"
}

# ---------------------------------------------------------------- start / stop of services

# Sets TO_START to the services that are not running; fails on a foreign process on a port.
plan_start() {
  TO_START=()
  local svc pid port
  for svc in "$@"; do
    port="${PORTS[$svc]}"
    pid="$(read_pid "$svc")"
    if is_our_service "$svc" "$pid"; then
      info "$svc already running (pid $pid, port $port)"
      continue
    fi
    if [[ -n "$pid" ]]; then
      info "$svc: removing stale pid file (pid $pid is not running $svc)"
      rm -f "$(pid_file "$svc")"
    fi
    port_open 127.0.0.1 "$port" && die "port $port in use by another program (wanted by $svc; see: ss -ltnp 'sport = :$port')"
    TO_START+=("$svc")
  done
  return 0
}

launch() { # service
  local svc="$1" port="${PORTS[$1]}" entry log pid
  entry="$(entry_of "$svc")"
  log="$(log_file "$svc")"
  [[ -f "$entry" ]] || die "$entry missing (build failed?)"
  mkdir -p "$LOG_DIR" "$PID_DIR"
  [[ -s "$log" ]] && mv -f "$log" "$log.prev" # keep the previous run's log next to it
  # KAFKA_BROKERS unset: the local broker of tools/kafka/kafka.sh (which honours KAFKA_PORT).
  # NODE_ENV: the services have no default (a container image must say); the local stack is development.
  (cd "$ROOT" && NODE_ENV="${NODE_ENV:-development}" PORT="$port" KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}" exec setsid nohup "$NODE" --enable-source-maps ${STACK_NODE_ARGS:-} "$entry" >"$log" 2>&1 </dev/null 9>&-) &
  pid=$!
  echo "$pid" >"$(pid_file "$svc")"
  info "started $svc (pid $pid, port $port), log: $log"
}

show_tail() { # service
  local log
  log="$(log_file "$1")"
  echo "----- last 20 lines of $log -----" >&2
  tail -n 20 "$log" >&2 2>/dev/null || true
  echo "-----" >&2
}

# Waits for /health/ready = 200 of every given service; reports every failure, then fails.
wait_ready() {
  local t0=$SECONDS svc pid code failed=() pending=("$@") next
  info "waiting for /health/ready of: $* (timeout ${READY_TIMEOUT} s)"
  while ((${#pending[@]} > 0)); do
    next=()
    for svc in "${pending[@]}"; do
      pid="$(read_pid "$svc")"
      if ! is_our_service "$svc" "$pid"; then
        echo "stack.sh: $svc (pid ${pid:-?}) exited during startup" >&2
        rm -f "$(pid_file "$svc")"
        show_tail "$svc"
        failed+=("$svc")
        continue
      fi
      code="$(ready_code "${PORTS[$svc]}")"
      if [[ "$code" == 200 ]]; then
        info "$svc ready on :${PORTS[$svc]} ($((SECONDS - t0)) s)"
      elif ((SECONDS - t0 >= READY_TIMEOUT)); then
        echo "stack.sh: $svc not ready within ${READY_TIMEOUT} s (last /health/ready: $code; pid $pid still running)" >&2
        show_tail "$svc"
        failed+=("$svc")
      else
        next+=("$svc")
      fi
    done
    pending=("${next[@]+"${next[@]}"}")
    ((${#pending[@]} > 0)) && sleep 0.5
  done
  ((${#failed[@]} == 0)) || die "not ready: ${failed[*]} (logs in $LOG_DIR; stop with: bash tools/stack.sh stop)"
}

stop_services() { # service...
  local svc pid signalled=() t0=$SECONDS
  for svc in "$@"; do
    pid="$(read_pid "$svc")"
    if is_our_service "$svc" "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      signalled+=("$svc:$pid")
      info "stopping $svc (pid $pid)"
    else
      [[ -n "$pid" ]] && info "$svc: removing stale pid file (pid $pid)"
      rm -f "$(pid_file "$svc")"
      info "$svc not running"
    fi
  done
  local entry
  for entry in "${signalled[@]+"${signalled[@]}"}"; do
    svc="${entry%%:*}"
    pid="${entry##*:}"
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS - t0 >= STOP_TIMEOUT)); then
        info "$svc still alive after $STOP_TIMEOUT s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
    rm -f "$(pid_file "$svc")"
    info "$svc stopped"
  done
  ((${#signalled[@]} == 0)) || info "services stopped ($((SECONDS - t0)) s)"
}

start_services() { # service...
  plan_start "$@"
  if ((${#TO_START[@]} > 0)); then
    build
    local svc
    ensure_dev_auth # every service authenticates its callers (README, "Security")
    for svc in "${TO_START[@]}"; do launch "$svc"; done
  fi
  wait_ready "$@" # also for reused ones: "already running" must mean "ready"
}

# ---------------------------------------------------------------- commands

cmd_start() {
  local t0=$SECONDS
  take_lock
  if (($# == 0)); then
    info "node $("$NODE" --version) ($NODE)"
    ensure_node_modules
    check_postgres
    bash "$KAFKA_SH" start 9>&- || die "Kafka did not start"
    start_services "${SERVICES[@]}"
    local svc ports=()
    for svc in "${SERVICES[@]}"; do ports+=("$svc :${PORTS[$svc]}"); done
    info "stack ready in $((SECONDS - t0)) s: $(IFS=,; echo "${ports[*]}" | sed 's/,/, /g')"
    info "logs: $LOG_DIR   stop: npm run stack:stop"
  else
    check_services "$@"
    ensure_node_modules
    check_postgres
    check_kafka_reachable
    start_services "$@"
    info "ready in $((SECONDS - t0)) s: $*"
  fi
}

cmd_stop() {
  take_lock
  if (($# == 0)); then
    stop_services "${SERVICES[@]}"
    bash "$KAFKA_SH" stop 9>&-
  else
    check_services "$@"
    stop_services "$@"
  fi
}

cmd_restart() {
  (($# > 0)) || die "usage: $0 restart <service...> (known: ${SERVICES[*]})"
  check_services "$@"
  local t0=$SECONDS
  take_lock
  ensure_node_modules
  check_postgres
  check_kafka_reachable
  stop_services "$@"
  build
  _BUILT=1 start_services "$@"
  info "restarted in $((SECONDS - t0)) s: $*"
}

cmd_status() {
  local svc pid port state code all_up=0
  printf '%-16s %-6s %-8s %-8s %s\n' SERVICE PORT STATE PID READY
  for svc in "${SERVICES[@]}"; do
    port="${PORTS[$svc]}"
    pid="$(read_pid "$svc")"
    if is_our_service "$svc" "$pid"; then
      state=running
      code="$(ready_code "$port")"
      [[ "$code" == 200 ]] && code="yes" || code="no (HTTP $code)"
    else
      state=stopped
      code=-
      pid=-
      all_up=1
      port_open 127.0.0.1 "$port" && code="port $port in use by another program"
    fi
    printf '%-16s %-6s %-8s %-8s %s\n' "$svc" "$port" "$state" "$pid" "$code"
  done
  bash "$KAFKA_SH" status || all_up=1
  echo "logs: $LOG_DIR"
  return "$all_up"
}

cmd_logs() {
  if (($# == 0)); then echo "$LOG_DIR"; return 0; fi
  check_services "$1"
  log_file "$1"
}

cmd="${1:-}"
(($# > 0)) && shift
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  restart) cmd_restart "$@" ;;
  status) cmd_status ;;
  logs) cmd_logs "$@" ;;
  *) echo "usage: $0 start [service...] | stop [service...] | restart <service...> | status | logs [service]" >&2; exit 2 ;;
esac
