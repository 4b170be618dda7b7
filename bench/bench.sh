#!/usr/bin/env bash
# npm run bench -- [--journeys N] [--concurrency C | --rate R] [--source http|hr] [--label NAME]
#   --source hr: the journeys come in as Workday hire events on hr.workday.worker-events.v1 (bench/hr-source.ts).
# BENCH_INSTANCES=2 npm run bench -- ...   runs a second instance of each domain service and of
# assurance (ports +10) in the same consumer groups.
# Starts its own Kafka broker (port 19092, state in .run/bench) and the services (deploy/services.json) on a fresh
# database (closeloop_bench), runs the benchmark, writes bench/results/*.json and *.md, and stops
# everything it started. A running development stack is stopped first (the ports are the same).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=prepare.sh
source bench/prepare.sh
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/closeloop_bench}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
bench_prepare bench 19092 # provides Node 24
# The services and their kinds and ports: deploy/services.json.
SERVICE_LINES="$(node tools/services/service-list.mjs name kind port)"
SERVICES=()
declare -A SECOND_PORTS=()
while read -r svc kind port; do
  SERVICES+=("$svc")
  # The second instances (BENCH_INSTANCES=2): every service but intake, on its port + 10.
  [[ "$kind" == intake ]] || SECOND_PORTS[$svc]=$((port + 10))
done <<<"$SERVICE_LINES"
STACK_SKIP_BUILD=1 bash tools/stack.sh start
STATE_DIR="${CLOSELOOP_STATE_DIR:-$ROOT/.run}"
EXTRA_PIDS=()
stop_extra() {
  for pid in "${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
  rm -f "$STATE_DIR"/pids/*-2.pid
}
trap 'stop_extra; stop_kafka' EXIT
if [[ "${BENCH_INSTANCES:-1}" == 2 ]]; then
  for svc in "${!SECOND_PORTS[@]}"; do
    PORT="${SECOND_PORTS[$svc]}" nohup node --enable-source-maps "dist/apps/$svc/src/main.js" >"$STATE_DIR/logs/$svc-2.log" 2>&1 &
    EXTRA_PIDS+=("$!")
    echo "$!" >"$STATE_DIR/pids/$svc-2.pid"
  done
  for svc in "${!SECOND_PORTS[@]}"; do
    for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:${SECOND_PORTS[$svc]}/health/ready" >/dev/null && break; sleep 0.5; done
    curl -fs "http://127.0.0.1:${SECOND_PORTS[$svc]}/health/ready" >/dev/null || { echo "bench: second $svc did not become ready" >&2; exit 1; }
  done
  echo "bench: second instances ready: ${!SECOND_PORTS[*]}"
fi
status=0
node --enable-source-maps dist/bench/run-bench.js "$@" || status=$?
stop_extra
bash tools/stack.sh stop "${SERVICES[@]}" >/dev/null
exit "$status"
