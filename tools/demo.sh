#!/usr/bin/env bash
# The demo: starts the stack (or reuses it), submits five sample new-hire journeys, waits for
# each confirmed outcome and prints what was verified. The stack keeps running afterwards.
#
#   bash tools/demo.sh        (npm run demo)
#
# Exits non-zero if any journey is not confirmed. Env: see tools/stack.sh and tools/demo/run-demo.mjs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash tools/stack.sh start
# shellcheck source=node/ensure-node.sh
source tools/node/ensure-node.sh

echo
status=0
node tools/demo/run-demo.mjs "$@" || status=$?

echo
if ((status == 0)); then
  echo "demo.sh: every journey ended as expected: the clean and the repaired ones confirmed, the failed one compensated."
else
  echo "demo.sh: some journeys did NOT end as expected (logs: $(bash tools/stack.sh logs))" >&2
fi
echo "demo.sh: the stack is still running (bash tools/stack.sh status); stop it with: npm run stack:stop"
exit "$status"
