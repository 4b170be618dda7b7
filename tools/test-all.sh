#!/usr/bin/env bash
# The whole test suite (npm test): typecheck, lint, docs (relative links of README.md and docs/
# resolve; docs/events.md matches libs/contracts: tools/docs/check-docs.sh), unit tests, build,
# deployment files (static: tools/validate-deploy.sh), integration tests, security tests
# (apps/security: each service in-process, its route x role matrix, hostile input, poison events
# and the attack scenarios), end-to-end tests - in that order, stopping at the first failing stage.
#
# The integration, security and end-to-end stages need PostgreSQL (DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/closeloop_test; the tests create that database) and Kafka:
# KAFKA_BROKERS, or the project's local broker, which is started once here (tools/kafka/kafka.sh)
# when it is not running yet, and stopped again at exit. A run of only other stages touches neither.
#
#   TEST_ONLY="typecheck unit build"   run only these stages (typecheck lint docs unit build deploy integration security e2e)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export NX_DAEMON=false
export NX_NO_CLOUD=true
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/closeloop_test}"

now_ms() { date +%s%3N; }
secs() { printf '%d.%01d' $(($1 / 1000)) $(($1 % 1000 / 100)); } # ms -> "12.3"
RUN_T0="$(now_ms)"
TIMINGS=()

# Every jest run's "Tests:" line is kept, so the run ends with one total: "tests: N passed, N failed".
TEST_COUNTS="$(mktemp)"
count_tests() { # reads a stage's output, passes it through, keeps jest's totals
  tee >(sed -u 's/\x1b\[[0-9;]*m//g' | grep --line-buffered -E '^Tests: ' >>"$TEST_COUNTS")
}
summary() {
  local total=$(($(now_ms) - RUN_T0)) t line="" passed failed skipped
  for t in "${TIMINGS[@]+"${TIMINGS[@]}"}"; do line+="$t | "; done
  echo "test-all: timings: ${line}total $(secs "$total") s"
  sleep 0.2 # let the last tee flush
  passed=$({ grep -oE '[0-9]+ passed' "$TEST_COUNTS" || true; } | awk '{s+=$1} END {print s+0}')
  failed=$({ grep -oE '[0-9]+ failed' "$TEST_COUNTS" || true; } | awk '{s+=$1} END {print s+0}')
  skipped=$({ grep -oE '[0-9]+ skipped' "$TEST_COUNTS" || true; } | awk '{s+=$1} END {print s+0}')
  echo
  echo "tests: $passed passed, $failed failed, $skipped skipped"
}

# ---------------------------------------------------------------- prerequisites

# shellcheck source=node/ensure-node.sh
source tools/node/ensure-node.sh
echo "test-all: node $(node --version), npm $(npm --version 2>/dev/null)"

# `npm install` with the committed lockfile, not `npm ci`: the lockfiles npm 11 writes here leave
# out other platforms' optional packages (@swc/core-darwin-*, ...), which `npm ci` rejects as
# out of sync. `npm install` installs the exact locked versions and leaves the lockfile as is.
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "test-all: installing dependencies from package-lock.json"
  npm install --no-audit --no-fund
fi

# Stages that need PostgreSQL and Kafka. When TEST_ONLY selects none of them, neither is checked
# nor started, and a running development stack is left alone.
INFRA_STAGES="integration security e2e"
needs_infra() {
  [[ -z "${TEST_ONLY:-}" ]] && return 0
  local s
  for s in $INFRA_STAGES; do [[ " ${TEST_ONLY//,/ } " == *" $s "* ]] && return 0; done
  return 1
}

STARTED_KAFKA=0
stop_kafka() {
  if ((STARTED_KAFKA)); then
    echo "test-all: stopping the Kafka broker this run started"
    env -u KAFKA_BROKERS bash tools/kafka/kafka.sh stop || true
  fi
}
trap stop_kafka EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_infra() {
  # A running development stack shares the broker and the consumer groups (closeloop.<service>)
  # with the tests, and would take half of their partitions: stop its services first.
  # The status table has one row per service of deploy/services.json: SERVICE PORT STATE PID READY.
  local running
  running="$(bash tools/stack.sh status 2>/dev/null | awk '$2 ~ /^[0-9]+$/ && $3 == "running" { print $1 }' || true)"
  if [[ -n "$running" ]]; then
    echo "test-all: stopping the running development stack's services (they would share consumer groups with the tests)"
    # shellcheck disable=SC2086 # one service name per word
    bash tools/stack.sh stop $running
  fi

  # PostgreSQL at DATABASE_URL's host:port
  db_rest="${DATABASE_URL#*://}"
  db_hostport="${db_rest%%/*}"
  db_hostport="${db_hostport##*@}"
  DB_HOST="${db_hostport%%:*}"
  DB_PORT=5432
  [[ "$db_hostport" == *:* ]] && DB_PORT="${db_hostport##*:}"
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -t 5 || { echo "test-all: ERROR: PostgreSQL not reachable at $DB_HOST:$DB_PORT" >&2; exit 1; }
  else
    timeout 2 bash -c "exec 3<>/dev/tcp/$DB_HOST/$DB_PORT" 2>/dev/null || { echo "test-all: ERROR: PostgreSQL not reachable at $DB_HOST:$DB_PORT" >&2; exit 1; }
  fi
  echo "test-all: PostgreSQL $DB_HOST:$DB_PORT reachable; tests use DATABASE_URL database '${db_rest#*/}'"

  # Kafka: started once for the whole run (the Jest global set-up then sees KAFKA_BROKERS).
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    bash tools/kafka/kafka.sh status # checks that the external cluster answers
  elif bash tools/kafka/kafka.sh status >/dev/null 2>&1; then
    echo "test-all: reusing the running local Kafka broker (left running at exit)"
    export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
  else
    STARTED_KAFKA=1
    bash tools/kafka/kafka.sh start
    export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
  fi
}

if needs_infra; then
  start_infra
else
  echo "test-all: no selected stage needs PostgreSQL or Kafka (TEST_ONLY=$TEST_ONLY): neither is checked nor started"
fi

# ---------------------------------------------------------------- stages

STAGE_NO=0
STAGE_COUNT=9
stage() { # name command...
  local name="$1" t0 rc=0 ms
  shift
  STAGE_NO=$((STAGE_NO + 1))
  if [[ -n "${TEST_ONLY:-}" && " ${TEST_ONLY//,/ } " != *" $name "* ]]; then
    echo "== [$STAGE_NO/$STAGE_COUNT] $name: skipped (TEST_ONLY=$TEST_ONLY)"
    TIMINGS+=("$name skipped")
    return 0
  fi
  echo
  echo "=================================================================="
  echo "== [$STAGE_NO/$STAGE_COUNT] $name: $*"
  echo "=================================================================="
  t0="$(now_ms)"
  set +e
  "$@" 2>&1 | count_tests
  rc=${PIPESTATUS[0]}
  set -e
  ms=$(($(now_ms) - t0))
  if ((rc != 0)); then
    TIMINGS+=("$name FAILED $(secs "$ms") s")
    echo
    echo "test-all: FAILED at stage [$STAGE_NO/$STAGE_COUNT] $name (exit $rc, $(secs "$ms") s)" >&2
    summary
    exit "$rc"
  fi
  TIMINGS+=("$name $(secs "$ms") s")
  echo "== $name passed ($(secs "$ms") s)"
}

stage typecheck npx tsc -p tsconfig.json --noEmit
stage lint npx nx run-many -t lint --parallel=2 --outputStyle=static
stage docs bash tools/docs/check-docs.sh
stage unit npx nx run-many -t test --parallel=2 --outputStyle=static --skip-nx-cache
stage build npx swc apps libs -d dist --config-file .swcrc --quiet
stage deploy bash tools/validate-deploy.sh
stage integration npx nx run-many -t test:integration --parallel=1 --outputStyle=static --skip-nx-cache
stage security npx jest -c apps/security/jest.config.js --runInBand
stage e2e npx jest -c apps/e2e/jest.config.js --runInBand

echo
if [[ -n "${TEST_ONLY:-}" ]]; then echo "test-all: selected stages passed (TEST_ONLY=$TEST_ONLY)"; else echo "test-all: all $STAGE_COUNT stages passed"; fi
summary
