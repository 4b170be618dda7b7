#!/usr/bin/env bash
# Static validation of the deployment files, without a container engine or a cluster:
#
#   1. docker-compose.yml parses and matches the compose schema: `docker-compose config -q`
#      (Debian's docker-compose 1.29 package; the docker CLI's `docker compose` plugin is not needed);
#   2. the Kubernetes overlays render: `kubectl kustomize k8s/overlays/<overlay>` (offline), and so
#      do the Strimzi topics and users (k8s/strimzi);
#   3. tools/validate-deploy/validate.mjs checks all of it: the list of services
#      (deploy/services.json) against the apps, their config and every file that names each service
#      (compose, k8s/base and the production overlay, Prometheus, the e2e and security suites),
#      pinned images, host:port references, ports published on 127.0.0.1 only, paths, the
#      Dockerfile, deploy/ (collector, Prometheus, Grafana), every rendered manifest against the
#      Kubernetes schemas (kubernetes-models, unknown fields refused), the services' environment
#      against their config schemas, a KafkaTopic for every contract topic, and the Kafka ACL
#      table (deploy/kafka/acls.json) against the code, the Strimzi KafkaUsers, the Deployments'
#      Kafka settings and docker-compose.yml's Kafka users;
#   4. the validator's own tests (tools/validate-deploy/*.test.mjs): broken files must fail; and
#      those of the domain service generator (tools/new-domain-service/*.test.mjs), which writes
#      these files.
#
#   bash tools/validate-deploy.sh            (also the `deploy` stage of npm test)
#
# Installs docker-compose (and kubectl when there is none) from Debian's packages when missing:
# that needs root (as on the project's machines and CI) or password-less sudo. Exits non-zero with
# the problems listed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "validate-deploy: ERROR: $*" >&2; exit 1; }
info() { echo "validate-deploy: $*"; }

# shellcheck source=node/ensure-node.sh
source tools/node/ensure-node.sh
if [[ ! -d node_modules/kubernetes-models || ! -x node_modules/.bin/swc ]]; then
  info "installing npm dependencies from package-lock.json"
  npm install --no-audit --no-fund >/dev/null
fi

APT_UPDATED=0
apt_install() { # packages...
  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else die "$* missing, and installing needs root: sudo apt-get install -y --no-install-recommends $*"; fi
  fi
  local log
  log="$(mktemp)"
  if ((APT_UPDATED == 0)); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  info "installing $* from Debian's packages"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1 ||
    { cat "$log" >&2; die "apt-get install $* failed"; }
  rm -f "$log"
}

# docker-compose: Debian bookworm's package is Compose 1.29.2 (Python), which reads the compose
# specification (no `version:` key, depends_on conditions, healthcheck start_period, init).
if ! command -v docker-compose >/dev/null; then apt_install docker-compose; fi
command -v docker-compose >/dev/null || die "docker-compose not found after installing it"

# kubectl with kustomize v4 or later (`resources:` that name directories, `patches:` with a target).
# The machine images of this project ship kubectl 1.32 (kustomize v5.5). Debian bookworm's own
# kubernetes-client is kubectl 1.20 with kustomize v2.0.3, too old for these kustomizations:
# installed only when there is no kubectl at all, and then refused below with that explanation.
KUBECTL="${KUBECTL:-kubectl}"
if ! command -v "$KUBECTL" >/dev/null; then apt_install kubernetes-client; fi
command -v "$KUBECTL" >/dev/null || die "kubectl not found after installing kubernetes-client"
kustomize_version="$("$KUBECTL" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\{0,1\}\([0-9][0-9.]*\).*/\1/p')"
if [[ -z "$kustomize_version" ]]; then
  kustomize_version="$("$KUBECTL" version --client 2>/dev/null | grep -q 'Minor:"20"' && echo 2.0.3 || true)"
fi
if [[ -z "$kustomize_version" || "${kustomize_version%%.*}" -lt 4 ]]; then
  die "$("$KUBECTL" version --client 2>&1 | head -n 2 | tr '\n' ' ')- its kustomize (${kustomize_version:-unknown}) is older than v4 and cannot render k8s/ (directories in resources:, patches: with a target). Use kubectl 1.21 or later (KUBECTL=/path/to/kubectl)."
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# 1. compose: parse and schema (no engine needed), then the resolved file for the checks.
info "docker-compose $(docker-compose version --short 2>/dev/null): config -q"
if ! docker-compose -f docker-compose.yml config -q 2>"$TMP/compose.err"; then
  cat "$TMP/compose.err" >&2
  die "docker-compose.yml does not parse (docker-compose config -q)"
fi
docker-compose -f docker-compose.yml config >"$TMP/compose.yml" 2>"$TMP/compose.err" || { cat "$TMP/compose.err" >&2; die "docker-compose config failed"; }
if [[ -s "$TMP/compose.err" ]]; then # warnings (an unset variable, a deprecated key) are problems too
  cat "$TMP/compose.err" >&2
  die "docker-compose config printed warnings"
fi

# 2. kustomize: every overlay, and the Strimzi topics.
info "kubectl $("$KUBECTL" version --client 2>/dev/null | head -n 1 | sed 's/^Client Version: //'), kustomize v$kustomize_version"
k8s_args=()
for overlay in k8s/overlays/*/; do
  name="$(basename "$overlay")"
  if ! "$KUBECTL" kustomize "$overlay" >"$TMP/k8s-$name.yml" 2>"$TMP/k8s-$name.err"; then
    cat "$TMP/k8s-$name.err" >&2
    die "kubectl kustomize $overlay failed"
  fi
  if [[ -s "$TMP/k8s-$name.err" ]]; then cat "$TMP/k8s-$name.err" >&2; die "kubectl kustomize $overlay printed warnings"; fi
  k8s_args+=(--k8s "k8s/overlays/$name=$TMP/k8s-$name.yml")
done
((${#k8s_args[@]} > 0)) || die "no overlay in k8s/overlays/"
"$KUBECTL" kustomize k8s/strimzi >"$TMP/strimzi.yml" 2>"$TMP/strimzi.err" || { cat "$TMP/strimzi.err" >&2; die "kubectl kustomize k8s/strimzi failed"; }

# 3. the checks. The production overlay's Secret comes from the cluster's secret store; the Secrets
# of the services' Kafka users come from Strimzi's user operator (validate.mjs knows them).
node tools/validate-deploy/validate.mjs \
  --compose "$TMP/compose.yml" \
  "${k8s_args[@]}" \
  --external-secret k8s/overlays/production:closeloop-secrets=DATABASE_URL \
  --external-secret k8s/overlays/production:saas-scim-targets=SAAS_SCIM_TARGETS \
  --strimzi "$TMP/strimzi.yml" ||
  die "deployment files have problems (listed above)"

# 4. the validator's tests: broken files must be refused. Their totals join npm test's summary.
info "validator self-tests"
set +e
node --test --test-reporter=spec tools/validate-deploy/*.test.mjs tools/new-domain-service/*.test.mjs 2>&1 | tee "$TMP/tests.out"
rc=${PIPESTATUS[0]}
set -e
passed="$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$TMP/tests.out")"
failed="$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$TMP/tests.out")"
echo "Tests: ${passed:-0} passed, ${failed:-0} failed, $((${passed:-0} + ${failed:-0})) total"
((rc == 0)) || die "the validator's tests failed"
info "all deployment files valid"
