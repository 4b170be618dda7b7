#!/usr/bin/env bash
# The docs stage of npm test (tools/test-all.sh; TEST_ONLY=docs npm test): cheap, needs no broker
# and no database.
#   1. every relative link and image in README.md and docs/*.md names a file that exists, and a
#      #fragment a heading of that file (remark-validate-links, tools/docs/remarkrc.mjs);
#      http(s) links are not checked (CI has no network);
#   2. docs/events.md is what tools/docs/contract-docs.mjs generates from libs/contracts;
#   3. the generator's own tests (node --test tools/docs/*.test.mjs).
# Runs all three and fails if any failed, so one run reports every problem.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

status=0

echo "docs: relative links in README.md and docs/*.md"
if node_modules/.bin/remark --rc-path tools/docs/remarkrc.mjs --frail --quiet --no-stdout --no-color README.md docs; then
  echo "docs: every relative link resolves"
else
  echo "docs: FAILED: broken links above (file:line:column, then what is missing)" >&2
  status=1
fi

echo "docs: docs/events.md against libs/contracts"
node tools/docs/contract-docs.mjs --check || status=1

echo "docs: tests of tools/docs"
node --test tools/docs/*.test.mjs || status=1

exit "$status"
