# shellcheck shell=bash
# Spark standalone cluster on 127.0.0.1 from the project's own jars, sourced by .ci/platform and
# bench/scale (one copy of the start/stop logic). The caller sets `set -euo pipefail`, ROOT (the
# checkout) and SA_WORK (a scratch directory for logs and worker dirs), and calls standalone_stop
# from its EXIT trap.
#   standalone_build            spark-submit jar (built only when stale) + SPARK_HOME (Maven jars);
#                               sets JAR, SPARK_HOME (exported), FLAGS (the JVM options of jobs),
#                               EXECUTOR_FLAGS (the collector and JIT flags of pom.xml, for executors)
#   standalone_start N CORES MEM  master on 7077 + N workers of CORES cores and MEM memory each,
#                               waits until all N registered; worker I's dir is $SA_WORK/workerI
#   standalone_submit ARGS...   spark-submit (client mode, driver -Xmx2g, executors with EXECUTOR_FLAGS
#                               as spark.executor.extraJavaOptions) to that master
#   standalone_stop             stops the master and workers started here (by their PIDs)
#   table_checksums LAKEHOUSE   the table= lines of io.aisdistill.jobs.TableChecksums (compare two runs)
SA_PIDS=()

wait_port() { # host port seconds
  for _ in $(seq 1 "$3"); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 1
  done
  echo "nothing listening on $1:$2 after $3 s" >&2
  return 1
}

standalone_build() {
  # .ci/run's `mvn verify` has just built the jar (dist is in the reactor): build it again only when it is
  # missing or older than a pom or a main source (the staleness test of bin/ais-distill)
  local spark_jar
  spark_jar=$(ls "$ROOT"/dist/target/ais-distill-*-spark.jar 2>/dev/null | head -1 || true)
  if [ -n "$spark_jar" ] && [ -z "$(cd "$ROOT" && find pom.xml common/pom.xml jobs/pom.xml dist/pom.xml common/src/main jobs/src/main \
      -newer "$spark_jar" -print -quit 2>/dev/null)" ]; then
    echo "spark-submit jar up to date: $spark_jar"
  else
    (cd "$ROOT" && mvn -B -q package -DskipTests -pl dist -am)
  fi
  rm -rf "$ROOT/dist/target/spark-home"
  (cd "$ROOT" && mvn -B -q -f dist/spark-home/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$ROOT/dist/target/spark-home/jars")
  JAR=$(ls "$ROOT"/dist/target/ais-distill-*-spark.jar)
  SPARK_HOME="$ROOT/dist/target/spark-home"
  export SPARK_HOME
  FLAGS=$(cat "$ROOT/jobs/target/classes/ais-distill-jvm.options")
  EXECUTOR_FLAGS=$(cat "$ROOT/jobs/target/classes/ais-distill-executor-jvm.options")
  ls "$JAR" >/dev/null
  echo "jar: $JAR ($(du -h "$JAR" | cut -f1)); SPARK_HOME jars: $(ls "$SPARK_HOME/jars" | wc -l)"
}

standalone_start() { # workers cores-per-worker memory-per-worker
  local n=$1 cores=$2 mem=$3 cp="$SPARK_HOME/jars/*" i
  # shellcheck disable=SC2086
  java $FLAGS -Xmx512m -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port 7077 --webui-port 18080 > "$SA_WORK/master.log" 2>&1 &
  SA_PIDS+=($!)
  wait_port 127.0.0.1 7077 90
  for i in $(seq 1 "$n"); do
    mkdir -p "$SA_WORK/worker$i"
    # shellcheck disable=SC2086
    java $FLAGS -Xmx512m -cp "$cp" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$mem" --work-dir "$SA_WORK/worker$i" --webui-port $((18080 + i)) \
      spark://127.0.0.1:7077 > "$SA_WORK/worker$i.log" 2>&1 &
    SA_PIDS+=($!)
  done
  for _ in $(seq 1 90); do
    [ "$(grep -c 'Registering worker' "$SA_WORK/master.log" || true)" -ge "$n" ] && break
    sleep 1
  done
  [ "$(grep -c 'Registering worker' "$SA_WORK/master.log" || true)" -eq "$n" ] || { cat "$SA_WORK/master.log" >&2; return 1; }
}

standalone_submit() { # spark-submit arguments (after --master/--deploy-mode)
  # shellcheck disable=SC2086
  java $FLAGS -Xmx2g -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit \
    --master spark://127.0.0.1:7077 --deploy-mode client \
    --conf "spark.executor.extraJavaOptions=$EXECUTOR_FLAGS" "$@"
}

standalone_stop() {
  local p
  for p in "${SA_PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${SA_PIDS[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  SA_PIDS=()
}

table_checksums() { # lakehouse -> TableChecksums' table= lines (rows + content checksums); extra java options in CHECKSUM_OPTS
  # shellcheck disable=SC2086
  java $FLAGS -Xmx2g ${CHECKSUM_OPTS:-} -cp "$ROOT/jobs/target/ais-distill-jobs.jar:$ROOT/jobs/target/lib/*" \
    io.aisdistill.jobs.TableChecksums "$1" 2>"$SA_WORK/checksum.err" | grep '^table=' \
    || { cat "$SA_WORK/checksum.err" >&2; return 1; }
}
