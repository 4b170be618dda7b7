# Sourced by bench/bench.sh and bench/replay.sh:  bench_prepare <name> <kafka-port>
# Node 24 and the dependencies; the development stack stopped; a broker of the benchmark's own
# (state, logs and pids under .run/<name>/) started and stopped again at exit, so synthetic
# journeys never reach the consumer groups of the development stack or of the tests; the
# benchmark's database (DATABASE_URL) dropped, to start from nothing.
bench_prepare() {
  local name="$1" port="$2"
  # shellcheck source=../tools/node/ensure-node.sh
  source tools/node/ensure-node.sh
  # Dependencies from the lockfile (see tools/test-all.sh for why npm install, not npm ci).
  [[ -f node_modules/.package-lock.json ]] || npm install --no-audit --no-fund
  bash tools/stack.sh stop >/dev/null 2>&1 || true
  export CLOSELOOP_STATE_DIR="$ROOT/.run/$name" KAFKA_PORT="$port" KAFKA_CONTROLLER_PORT="$((port + 1))"
  unset KAFKA_BROKERS
  bash tools/kafka/kafka.sh start
  trap stop_kafka EXIT
  export KAFKA_BROKERS="127.0.0.1:$port"
  node_modules/.bin/swc apps libs bench -d dist --config-file .swcrc --quiet
  node -e "
    const { Client } = require('pg');
    const url = new URL(process.env.DATABASE_URL); const name = url.pathname.slice(1); url.pathname = '/postgres';
    const c = new Client({ connectionString: url.toString() });
    c.connect().then(() => c.query('DROP DATABASE IF EXISTS \"' + name + '\" WITH (FORCE)')).then(() => c.end());
  "
}

# KAFKA_BROKERS points at this broker by then, and kafka.sh leaves a broker named there alone.
stop_kafka() { env -u KAFKA_BROKERS bash tools/kafka/kafka.sh stop >/dev/null 2>&1 || true; }
