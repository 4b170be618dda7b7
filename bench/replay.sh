#!/usr/bin/env bash
# npm run bench:replay -- [--events N] [--duplicates 0.05]
# Assurance alone: writes a generated stream of journey events to the topics while assurance is
# stopped, starts assurance on a fresh database (closeloop_replay) and measures how fast it
# consumes the stream (events/s, peak RSS). It uses its own broker (port 19192, state in
# .run/replay); the domain services are not involved.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=prepare.sh
source bench/prepare.sh
export DATABASE_URL="${REPLAY_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/closeloop_replay}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
bench_prepare replay 19192
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
