#!/usr/bin/env bash
# The Kafka broker of docker-compose.yml: one KRaft node (broker and controller) in the
# apache/kafka image, started by this script instead of the image's own start-up so that the
# storage is formatted with SCRAM credentials (KRaft keeps them in its metadata log, so they
# exist before the first client connects). As tools/kafka/kafka.sh with KAFKA_SCRAM=1:
#
#   CLIENT://kafka:9092       SASL_PLAINTEXT, SCRAM-SHA-512: the services and kafka-setup
#   HOST://localhost:29092    SASL_PLAINTEXT, SCRAM-SHA-512: clients on the machine (compose
#                             publishes it on 127.0.0.1 only)
#   CONTROLLER://:9093        SASL_PLAINTEXT, PLAIN: the broker to its controller as admin (KRaft
#                             cannot use SCRAM on the controller listener)
#   StandardAuthorizer        super user admin; what no ACL allows is refused. The ACLs and the
#                             topics come from kafka-setup (deploy/kafka/acls.json).
#
# Env: CLUSTER_ID, ADMIN_PASSWORD (the admin super user), SCRAM_USERS ("name=password ..."),
# NUM_PARTITIONS. Credentials are set when the storage is formatted, i.e. on the first start of
# the container (`docker compose down` drops the data, and with it the credentials).
#
# Fits the apache/kafka 4.x image (docker-compose.yml: 4.1.1) and the 3.9 one alike: the scripts in
# /opt/kafka/bin, a static controller.quorum.voters (so `kafka-storage.sh format` needs neither
# --standalone nor --initial-controllers), and kafka-server-start.sh's own logging configuration
# (log4j2 on 4.x, log4j 1 on 3.x).
set -euo pipefail

die() { echo "broker.sh: ERROR: $*" >&2; exit 1; }

: "${CLUSTER_ID:?CLUSTER_ID is not set}"
: "${ADMIN_PASSWORD:?ADMIN_PASSWORD is not set}"
SAFE_NAME='^[A-Za-z0-9._-]+$'
SAFE_PASSWORD='^[A-Za-z0-9._~+-]+$' # they go into JAAS strings and --add-scram arguments unquoted
[[ "$ADMIN_PASSWORD" =~ $SAFE_PASSWORD ]] || die "ADMIN_PASSWORD: only letters, digits and . _ ~ + - are allowed"

CONFIG=/opt/kafka/config/closeloop-server.properties
ADMIN_CONFIG=/opt/kafka/config/closeloop-admin.properties
DATA_DIR=/tmp/kraft-combined-logs

scram_args=(--add-scram "SCRAM-SHA-512=[name=admin,password=$ADMIN_PASSWORD]")
for pair in ${SCRAM_USERS:-}; do
  name="${pair%%=*}"
  password="${pair#*=}"
  [[ "$pair" == *=* && "$name" =~ $SAFE_NAME ]] || die "SCRAM_USERS: '$name' is not name=password"
  [[ "$password" =~ $SAFE_PASSWORD ]] || die "SCRAM_USERS: the password of $name may contain only letters, digits and . _ ~ + -"
  scram_args+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]")
done

umask 077 # the admin's password is in these files
cat >"$CONFIG" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=CLIENT://:9092,HOST://:29092,CONTROLLER://:9093
advertised.listeners=CLIENT://kafka:9092,HOST://localhost:29092
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$ADMIN_PASSWORD";
listener.name.host.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$ADMIN_PASSWORD" user_admin="$ADMIN_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
log.dirs=$DATA_DIR
num.partitions=${NUM_PARTITIONS:-6}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
# For the healthcheck and for `docker compose exec kafka /opt/kafka/bin/kafka-acls.sh
# --bootstrap-server kafka:9092 --command-config /opt/kafka/config/closeloop-admin.properties --list`.
cat >"$ADMIN_CONFIG" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$ADMIN_PASSWORD";
EOF

/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$CONFIG" "${scram_args[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$CONFIG"
