#!/usr/bin/env bash
# npm run bench:replay -- [--events N] [--duplicates 0.05]
# Assurance alone: writes a generated stream of journey events to the topics while assurance is
# stopped, starts assurance on a fresh database (closeloop_replay) and measures how fast it
# consumes the stream (events/s, peak RSS). It uses its own broker (port 19192, state in
# .run/replay); the domain services are not involved.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../tools/node/ensure-node.sh
source tools/node/ensure-node.sh
# Dependencies from the lockfile (see tools/test-all.sh for why npm install, not npm ci).
[[ -f node_modules/.package-lock.json ]] || npm install --no-audit --no-fund
# Its own broker and state (logs, pids) under .run/replay/, so the synthetic journeys never reach
# the consumer groups of the development stack or of the tests.
bash tools/stack.sh stop >/dev/null 2>&1 || true   # the development stack, if it runs
export CLOSELOOP_STATE_DIR="$ROOT/.run/replay" KAFKA_PORT=19192 KAFKA_CONTROLLER_PORT=19193
unset KAFKA_BROKERS
bash tools/kafka/kafka.sh start
stop_kafka() { bash tools/kafka/kafka.sh stop >/dev/null 2>&1 || true; }
trap stop_kafka EXIT
export KAFKA_BROKERS="127.0.0.1:19192"
export DATABASE_URL="${REPLAY_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/closeloop_replay}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"

node_modules/.bin/swc apps libs bench -d dist --config-file .swcrc --quiet
node -e "
  const { Client } = require('pg');
  const url = new URL(process.env.DATABASE_URL); const name = url.pathname.slice(1); url.pathname = '/postgres';
  const c = new Client({ connectionString: url.toString() });
  c.connect().then(() => c.query('DROP DATABASE IF EXISTS \"' + name + '\" WITH (FORCE)')).then(() => c.end());
"
# Start assurance once to create its schema and topics and to consume any earlier backlog, so
# that what it consumes in the measured phase is exactly this run's stream.
STACK_SKIP_BUILD=1 bash tools/stack.sh start assurance >/dev/null
node dist/bench/replay-assurance.js --phase drain "$@"
bash tools/stack.sh stop assurance >/dev/null
node dist/bench/replay-assurance.js --phase produce "$@"
STACK_SKIP_BUILD=1 bash tools/stack.sh start assurance
status=0
node dist/bench/replay-assurance.js --phase measure "$@" || status=$?
bash tools/stack.sh stop assurance >/dev/null
exit "$status"
