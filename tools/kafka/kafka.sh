#!/usr/bin/env bash
# Local single-node Kafka (KRaft, broker+controller in one JVM) for development and tests.
#
#   tools/kafka/kafka.sh start | stop | status | ensure-jars
#
# Env:
#   KAFKA_BROKERS          use this external cluster instead (start/stop do nothing)
#   KAFKA_PORT             broker port (default 9092)
#   KAFKA_CONTROLLER_PORT  controller port (default 9093)
#   CLOSELOOP_STATE_DIR    state root instead of <repo>/.run (data, pid, logs)
#   JAVA_HOME              Java 17+ to use (otherwise java on PATH)
#   KAFKA_VERSION          the Kafka release to run (default: <kafka.version> of tools/kafka/pom.xml,
#                          4.1.1). KAFKA_VERSION=3.9.1 runs the 3.9 line: its jars are fetched into
#                          their own .cache/kafka/<version>, with log4j 1 (reload4j) instead of log4j2,
#                          and each version formats its own data directory (<state>/kafka/data-<version>).
#
# A guarded broker (docs/security-kafka.md), as in production but without TLS:
#   KAFKA_SCRAM=1          the client listener is SASL_PLAINTEXT with SCRAM-SHA-512, the
#                          StandardAuthorizer refuses what no ACL allows (super user: admin), and
#                          the controller listener takes SASL/PLAIN as admin (KRaft cannot use
#                          SCRAM there). Use its own CLOSELOOP_STATE_DIR and ports next to a plain
#                          broker, e.g.:
#     KAFKA_SCRAM=1 KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 CLOSELOOP_STATE_DIR=.run/scram \
#       bash tools/kafka/kafka.sh start
#   KAFKA_SCRAM_ADMIN_PASSWORD  the admin's password (default admin-secret)
#   KAFKA_SCRAM_USERS      "name=password ..." (default: every user of deploy/kafka/acls.json with
#                          the password <name>-secret). The credentials are written when the data
#                          directory is formatted (first start); other ones later are refused.
#   The broker starts without ACLs: create them as admin (tools/kafka/kafka-setup.mjs creates the
#   topics and every service's ACLs of deploy/kafka/acls.json). <state>/kafka/admin.properties is
#   a client configuration of the admin for Kafka's command-line tools.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The version to run: KAFKA_VERSION, else the default of tools/kafka/pom.xml.
DEFAULT_KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$ROOT/tools/kafka/pom.xml" | head -n1)"
[[ -n "$DEFAULT_KAFKA_VERSION" ]] || { echo "kafka.sh: ERROR: no <kafka.version> in tools/kafka/pom.xml" >&2; exit 1; }
KAFKA_VERSION="${KAFKA_VERSION:-$DEFAULT_KAFKA_VERSION}"
[[ "$KAFKA_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "kafka.sh: ERROR: KAFKA_VERSION must look like 4.1.1 or 3.9.1 (is '$KAFKA_VERSION')" >&2; exit 1; }
KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
# Kafka 4 dropped log4j 1: 4.x logs through log4j2, 3.x through reload4j (the pom's profiles).
if ((KAFKA_MAJOR >= 4)); then LOGGING=log4j2; else LOGGING=reload4j; fi
CACHE_DIR="$ROOT/.cache/kafka/$KAFKA_VERSION"
LIBS_DIR="$CACHE_DIR/libs"
JARS_MARKER="$CACHE_DIR/.jars-complete"

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
READY_TIMEOUT=60
STOP_TIMEOUT=30
# Logged once by kafka.server.KafkaRaftServer when the broker is fully up:
#   [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)
READY_LINE="Kafka Server started"

STATE_ROOT="${CLOSELOOP_STATE_DIR:-$ROOT/.run}"
mkdir -p "$STATE_ROOT"
STATE_ROOT="$(cd "$STATE_ROOT" && pwd)"
STATE_DIR="$STATE_ROOT/kafka"
# One data directory per version: a 4.x broker upgrades a 3.x log in place (and 3.x cannot read it
# back), so switching KAFKA_VERSION never reuses another version's storage.
DATA_DIR="$STATE_DIR/data-$KAFKA_VERSION"
PID_FILE="$STATE_DIR/kafka.pid"
CLUSTER_ID_FILE="$STATE_DIR/cluster.id"
SERVER_PROPS="$STATE_DIR/server.properties"
if [[ "$LOGGING" == log4j2 ]]; then
  LOG4J_PROPS="$STATE_DIR/log4j2.properties"
  TOOLS_LOG4J_PROPS="$STATE_DIR/tools-log4j2.properties"
  log4j_opt() { echo "-Dlog4j2.configurationFile=file:$1"; }
else
  LOG4J_PROPS="$STATE_DIR/log4j.properties"
  TOOLS_LOG4J_PROPS="$STATE_DIR/tools-log4j.properties"
  log4j_opt() { echo "-Dlog4j.configuration=file:$1"; }
fi
ADMIN_PROPS="$STATE_DIR/admin.properties" # SCRAM mode: the admin's client settings for the CLI tools
MODE_FILE="$STATE_DIR/mode-$KAFKA_VERSION" # how the data directory was formatted: plain, or scram <users hash>
LOG_DIR="$STATE_ROOT/logs"
LOG_FILE="$LOG_DIR/kafka.log"
OUT_FILE="$LOG_DIR/kafka.out" # JVM stdout/stderr (crashes before log4j is up)

die() { echo "kafka.sh: ERROR: $*" >&2; exit 1; }
info() { echo "kafka.sh: $*"; }

port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# ---------------------------------------------------------------- SCRAM mode

SCRAM="${KAFKA_SCRAM:-0}"
[[ "$SCRAM" == 0 || "$SCRAM" == 1 ]] || die "KAFKA_SCRAM must be 0 or 1 (is '$SCRAM')"
SCRAM_ADMIN=admin
SCRAM_ADMIN_PASSWORD="${KAFKA_SCRAM_ADMIN_PASSWORD:-admin-secret}"
SCRAM_USERS=() # name=password, the admin first

# Passwords end up inside JAAS strings and --add-scram arguments: only characters that need no quoting.
SAFE_NAME='^[A-Za-z0-9._-]+$'
SAFE_PASSWORD='^[A-Za-z0-9._~+-]+$'

scram_users() {
  local spec="${KAFKA_SCRAM_USERS-}" pair name password
  if [[ -z "${KAFKA_SCRAM_USERS+set}" ]]; then
    local acls="$ROOT/deploy/kafka/acls.json"
    [[ -f "$acls" ]] || die "$acls missing: set KAFKA_SCRAM_USERS=\"name=password ...\""
    spec="$(sed -n 's/^ *"user": *"\([^"]*\)".*/\1=\1-secret/p' "$acls" | tr '\n' ' ')"
    [[ -n "${spec// /}" ]] || die "no \"user\" in $acls: set KAFKA_SCRAM_USERS=\"name=password ...\""
  fi
  [[ "$SCRAM_ADMIN_PASSWORD" =~ $SAFE_PASSWORD ]] || die "KAFKA_SCRAM_ADMIN_PASSWORD: only letters, digits and . _ ~ + - are allowed"
  SCRAM_USERS=("$SCRAM_ADMIN=$SCRAM_ADMIN_PASSWORD")
  for pair in $spec; do
    name="${pair%%=*}"
    password="${pair#*=}"
    [[ "$pair" == *=* && "$name" =~ $SAFE_NAME ]] || die "KAFKA_SCRAM_USERS: '${name}' is not name=password with a name of letters, digits and . _ -"
    [[ "$password" =~ $SAFE_PASSWORD ]] || die "KAFKA_SCRAM_USERS: the password of $name may contain only letters, digits and . _ ~ + -"
    [[ "$name" != "$SCRAM_ADMIN" ]] || die "KAFKA_SCRAM_USERS: $SCRAM_ADMIN is the super user; set its password with KAFKA_SCRAM_ADMIN_PASSWORD"
    SCRAM_USERS+=("$name=$password")
  done
}

# What the data directory must have been formatted with: "plain", or "scram" and a hash of the credentials.
wanted_mode() {
  if [[ "$SCRAM" == 1 ]]; then
    echo "scram $(printf '%s\n' "${SCRAM_USERS[@]}" | sha256sum | cut -c1-16)"
  else
    echo plain
  fi
}

# ---------------------------------------------------------------- external cluster

external_check() {
  local first="${KAFKA_BROKERS%%,*}"
  first="${first#*://}"
  local host="${first%:*}" port="${first##*:}"
  [[ -n "$host" && "$port" =~ ^[0-9]+$ ]] || die "cannot parse KAFKA_BROKERS='$KAFKA_BROKERS' (expected host:port[,host:port...])"
  port_open "$host" "$port" || die "external Kafka $host:$port (from KAFKA_BROKERS) is not reachable"
  info "using external Kafka cluster KAFKA_BROKERS=$KAFKA_BROKERS ($host:$port reachable)"
}

# ---------------------------------------------------------------- prerequisites

JAVA=""
check_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="$(command -v java || true)"; fi
  [[ -n "$JAVA" && -x "$JAVA" ]] || die "Java 17+ not found (set JAVA_HOME or put java on PATH)"
  local ver major
  ver="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  major="${ver%%.*}"
  [[ "$major" == 1 ]] && major="$(echo "$ver" | cut -d. -f2)" # 1.8 -> 8
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die "Java 17+ not found ($JAVA reports version '${ver:-unknown}')"
}

ensure_jars() {
  if [[ -f "$JARS_MARKER" ]]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) not found; needed once to fetch the Kafka $KAFKA_VERSION jars"
  info "fetching Kafka $KAFKA_VERSION jars with Maven into $LIBS_DIR ..."
  local t0=$SECONDS
  rm -rf "$LIBS_DIR"
  mkdir -p "$LIBS_DIR"
  if ! mvn -q -B -f "$ROOT/tools/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -Dkafka.logging="$LOGGING" -DincludeScope=runtime -DoutputDirectory="$LIBS_DIR" >"$CACHE_DIR/mvn.log" 2>&1; then
    cat "$CACHE_DIR/mvn.log" >&2
    die "Maven could not fetch the Kafka jars (output above, also in $CACHE_DIR/mvn.log)"
  fi
  ls "$LIBS_DIR"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing in $LIBS_DIR after Maven run"
  date -u +%FT%TZ >"$JARS_MARKER"
  info "jars ready ($(ls "$LIBS_DIR" | wc -l) files, $((SECONDS - t0)) s)"
}

# Run a Kafka CLI class quietly (log4j warnings to stderr only).
kafka_tool() {
  "$JAVA" "$(log4j_opt "$TOOLS_LOG4J_PROPS")" -cp "$LIBS_DIR/*" "$@"
}

# ---------------------------------------------------------------- process helpers

read_pid() { [[ -f "$PID_FILE" ]] && cat "$PID_FILE" || true; }

# True if pid is alive and is the Kafka JVM started with our server.properties.
is_our_kafka() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$SERVER_PROPS"* ]]
}

# The Kafka version a running broker was started with: the jars on its class path.
running_version() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's:.*/\.cache/kafka/\([^/]*\)/libs/.*:\1:p' | head -n1
}

# ---------------------------------------------------------------- config

listener_configs() {
  if [[ "$SCRAM" == 1 ]]; then
    # Clients and the broker itself authenticate with SCRAM-SHA-512 (credentials in the metadata
    # log, from the format step); the broker reaches its controller with SASL/PLAIN as admin.
    cat <<EOF
listeners=CLIENT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=CLIENT://$HOST:$PORT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_ADMIN" password="$SCRAM_ADMIN_PASSWORD";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$SCRAM_ADMIN" password="$SCRAM_ADMIN_PASSWORD" user_$SCRAM_ADMIN="$SCRAM_ADMIN_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$SCRAM_ADMIN
allow.everyone.if.no.acl.found=false
# Topics are created by the admin (tools/kafka/kafka-setup.mjs), as Strimzi's KafkaTopics are.
auto.create.topics.enable=false
EOF
  else
    cat <<EOF
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
auto.create.topics.enable=true
EOF
  fi
}

write_configs() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  local listeners
  listeners="$(listener_configs)"
  (
    umask 077 # SCRAM mode: the admin's password is in these files
    cat >"$SERVER_PROPS" <<EOF
# Generated by tools/kafka/kafka.sh - edits are overwritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
$listeners
log.dirs=$DATA_DIR
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOF
    if [[ "$SCRAM" == 1 ]]; then
      cat >"$ADMIN_PROPS" <<EOF
# Generated by tools/kafka/kafka.sh: the admin (super user) of the SCRAM broker on $HOST:$PORT, e.g.
#   kafka-acls.sh --bootstrap-server $HOST:$PORT --command-config $ADMIN_PROPS --list
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_ADMIN" password="$SCRAM_ADMIN_PASSWORD";
EOF
    else
      rm -f "$ADMIN_PROPS"
    fi
  )
  if [[ "$LOGGING" == log4j2 ]]; then
    cat >"$LOG4J_PROPS" <<EOF
# Generated by tools/kafka/kafka.sh (log4j2, Kafka $KAFKA_VERSION)
name=closeloop-kafka
appender.file.type=RollingFile
appender.file.name=file
appender.file.fileName=$LOG_FILE
appender.file.filePattern=$LOG_FILE.%i
appender.file.append=true
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
appender.file.policies.type=Policies
appender.file.policies.size.type=SizeBasedTriggeringPolicy
appender.file.policies.size.size=20MB
appender.file.strategy.type=DefaultRolloverStrategy
appender.file.strategy.max=2
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
logger.request.name=kafka.request.logger
logger.request.level=WARN
logger.state.name=state.change.logger
logger.state.level=WARN
EOF
    cat >"$TOOLS_LOG4J_PROPS" <<EOF
# Generated by tools/kafka/kafka.sh (log4j2, Kafka $KAFKA_VERSION)
name=closeloop-kafka-tools
appender.stderr.type=Console
appender.stderr.name=stderr
appender.stderr.target=SYSTEM_ERR
appender.stderr.layout.type=PatternLayout
appender.stderr.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=WARN
rootLogger.appenderRef.stderr.ref=stderr
EOF
    return 0
  fi
  cat >"$LOG4J_PROPS" <<EOF
# Generated by tools/kafka/kafka.sh
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG_FILE
log4j.appender.file.Append=true
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
  cat >"$TOOLS_LOG4J_PROPS" <<EOF
# Generated by tools/kafka/kafka.sh
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

format_storage() {
  local wanted
  wanted="$(wanted_mode)"
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    local formatted
    formatted="$(cat "$MODE_FILE" 2>/dev/null || echo plain)"
    [[ "$formatted" == "$wanted" ]] && return 0
    if [[ "$wanted" == scram* && "$formatted" == scram* ]]; then
      die "$DATA_DIR was formatted with other SCRAM users or passwords (KRaft writes them when it formats): stop the broker and delete $DATA_DIR, or use another CLOSELOOP_STATE_DIR"
    fi
    die "$DATA_DIR was formatted for a ${formatted%% *} broker, not a ${wanted%% *} one: use another CLOSELOOP_STATE_DIR (or delete $DATA_DIR)"
  fi
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    kafka_tool kafka.tools.StorageTool random-uuid >"$CLUSTER_ID_FILE.tmp" || die "StorageTool random-uuid failed"
    mv "$CLUSTER_ID_FILE.tmp" "$CLUSTER_ID_FILE"
  fi
  local scram_args=() pair users=""
  if [[ "$SCRAM" == 1 ]]; then
    for pair in "${SCRAM_USERS[@]}"; do
      scram_args+=(--add-scram "SCRAM-SHA-512=[name=${pair%%=*},password=${pair#*=}]")
      users+=" ${pair%%=*}"
    done
  fi
  info "formatting storage in $DATA_DIR (cluster id $(cat "$CLUSTER_ID_FILE"))${users:+, SCRAM-SHA-512 users:$users}"
  kafka_tool kafka.tools.StorageTool format -t "$(cat "$CLUSTER_ID_FILE")" -c "$SERVER_PROPS" "${scram_args[@]}" >/dev/null ||
    die "StorageTool format failed"
  echo "$wanted" >"$MODE_FILE"
}

# ---------------------------------------------------------------- commands

LOG_OFFSET=0 # size of the log before this start; readiness only looks at newer lines
log_since_start() { tail -c +"$((LOG_OFFSET + 1))" "$LOG_FILE" 2>/dev/null; }

show_logs() {
  echo "----- last 30 lines of $LOG_FILE -----" >&2
  tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
  echo "----- ERROR/FATAL lines of this start -----" >&2
  log_since_start | grep -E '^\[[^]]*\] (ERROR|FATAL) ' | tail -n 5 >&2 || true
  if [[ -s "$OUT_FILE" ]]; then
    echo "----- last 30 lines of $OUT_FILE -----" >&2
    tail -n 30 "$OUT_FILE" >&2
  fi
}

cmd_start() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then external_check; return 0; fi
  check_java
  ensure_jars
  if [[ "$SCRAM" == 1 ]]; then scram_users; fi

  local pid
  pid="$(read_pid)"
  if is_our_kafka "$pid"; then
    local running
    running="$(running_version "$pid")"
    [[ -z "$running" || "$running" == "$KAFKA_VERSION" ]] ||
      die "Kafka $running is running (pid $pid), not $KAFKA_VERSION: stop it first ($0 stop) or use another CLOSELOOP_STATE_DIR"
    port_open "$HOST" "$PORT" || die "Kafka process $pid is alive but $HOST:$PORT does not answer (see $LOG_FILE; try: $0 stop)"
    info "Kafka $KAFKA_VERSION already running (pid $pid)"
    return 0
  fi
  if [[ -n "$pid" ]]; then
    info "removing stale pid file (pid $pid is not a running Kafka)"
    rm -f "$PID_FILE"
  fi
  port_open "$HOST" "$PORT" && die "port $PORT in use by another program (ss -ltnp 'sport = :$PORT')"
  port_open "$HOST" "$CONTROLLER_PORT" && die "port $CONTROLLER_PORT in use by another program (ss -ltnp 'sport = :$CONTROLLER_PORT')"

  write_configs
  format_storage

  local t0=$SECONDS
  LOG_OFFSET="$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)"
  setsid nohup "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    "$(log4j_opt "$LOG4J_PROPS")" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$SERVER_PROPS" >"$OUT_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  info "starting Kafka $KAFKA_VERSION (pid $pid), log: $LOG_FILE"

  while ((SECONDS - t0 < READY_TIMEOUT)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_logs
      die "Kafka exited during startup"
    fi
    if grep -q "$READY_LINE" <(log_since_start) && port_open "$HOST" "$PORT"; then
      if [[ "$SCRAM" == 1 ]]; then
        info "Kafka ready on $HOST:$PORT, SASL_PLAINTEXT with SCRAM-SHA-512 (admin: $ADMIN_PROPS) ($((SECONDS - t0)) s)"
      else
        info "Kafka ready on $HOST:$PORT ($((SECONDS - t0)) s)"
      fi
      return 0
    fi
    sleep 0.5
  done
  show_logs
  die "Kafka did not become ready within $READY_TIMEOUT s (pid $pid still running; stop it with: $0 stop)"
}

cmd_stop() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    info "external Kafka cluster in use (KAFKA_BROKERS=$KAFKA_BROKERS); nothing to stop"
    return 0
  fi
  local pid
  pid="$(read_pid)"
  if ! is_our_kafka "$pid"; then
    rm -f "$PID_FILE"
    info "Kafka not running"
    return 0
  fi
  info "stopping Kafka (pid $pid)"
  kill -TERM "$pid"
  local t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - t0 >= STOP_TIMEOUT)); then
      info "still alive after $STOP_TIMEOUT s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  info "Kafka stopped ($((SECONDS - t0)) s)"
}

cmd_status() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then external_check; return 0; fi
  local pid
  pid="$(read_pid)"
  if is_our_kafka "$pid" && port_open "$HOST" "$PORT"; then
    info "Kafka $(running_version "$pid") running (pid $pid) on $HOST:$PORT"
    return 0
  fi
  info "Kafka not running"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  ensure-jars) check_java; ensure_jars ;;
  *) echo "usage: $0 start|stop|status|ensure-jars" >&2; exit 2 ;;
esac
