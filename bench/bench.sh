#!/usr/bin/env bash
# npm run bench -- [--journeys N] [--concurrency C | --rate R] [--label NAME]
# Starts Kafka and the five services on a fresh database (closeloop_bench), runs the benchmark,
# writes bench/results/*.json and *.md, and stops the services again (Kafka keeps running).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../tools/node/ensure-node.sh
source tools/node/ensure-node.sh
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/closeloop_bench}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
SERVICES=(intake identity-domain saas-domain device-domain assurance)

bash tools/stack.sh stop "${SERVICES[@]}" >/dev/null 2>&1 || true
node -e "
  const { Client } = require('pg');
  const url = new URL(process.env.DATABASE_URL); const name = url.pathname.slice(1); url.pathname = '/postgres';
  const c = new Client({ connectionString: url.toString() });
  c.connect().then(() => c.query('DROP DATABASE IF EXISTS \"' + name + '\" WITH (FORCE)')).then(() => c.end());
"
node_modules/.bin/swc apps libs bench -d dist --config-file .swcrc --quiet
STACK_SKIP_BUILD=1 bash tools/stack.sh start
status=0
node --enable-source-maps dist/bench/run-bench.js "$@" || status=$?
bash tools/stack.sh stop "${SERVICES[@]}" >/dev/null
exit "$status"
