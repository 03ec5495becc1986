#!/bin/sh
# The apache/kafka image's conventions: every KAFKA_<NAME> variable is a server property (lower case,
# '_' -> '.', '__' -> '_', '___' -> '-'; KAFKA_HEAP_OPTS and friends are JVM options, not properties),
# CLUSTER_ID formats the KRaft storage on first start. Runs as any UID (writes only /tmp and log.dirs).
set -eu
props=/tmp/kafka-server.properties
env | grep '^KAFKA_' | while IFS='=' read -r name value; do
  case $name in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS | KAFKA_GC_LOG_OPTS | KAFKA_JMX_OPTS | KAFKA_DEBUG | KAFKA_VERSION) continue ;;
  esac
  key=$(printf '%s' "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed 's/___/-/g; s/__/@/g; s/_/./g; s/@/_/g')
  printf '%s=%s\n' "$key" "$value"
done >"$props"
# Internal topics of a single-node broker must fit on it (the official image's defaults for one node).
for default in offsets.topic.replication.factor=1 transaction.state.log.replication.factor=1 \
  transaction.state.log.min.isr=1 share.coordinator.state.topic.replication.factor=1 \
  share.coordinator.state.topic.min.isr=1 group.initial.rebalance.delay.ms=0; do
  grep -q "^${default%%=*}=" "$props" || echo "$default" >>"$props"
done
# shellcheck disable=SC2086 # option lists
jvm="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true} ${KAFKA_OPTS:-}"
cp='/opt/kafka/libs/*'
if [ -n "${CLUSTER_ID:-}" ]; then
  # shellcheck disable=SC2086
  java $jvm -cp "$cp" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$props" --ignore-formatted
fi
# shellcheck disable=SC2086
exec java $jvm -Dorg.slf4j.simpleLogger.defaultLogLevel=info -cp "$cp" kafka.Kafka "$props"
