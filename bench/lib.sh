# Sourced by the bench launchers (bench/judge, bench/increment, ...): the build check and the java command
# they share. Sets BENCH_HOME (the repository root) and BENCH_JAR (bench/target/ais-distill-bench.jar), and
# exports SPARK_LOCAL_IP (127.0.0.1 unless set: Spark binds the driver to it, not to the host's name).
BENCH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_JAR="$BENCH_HOME/bench/target/ais-distill-bench.jar"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# The sources the bench jar is built from; a launcher adds what it needs besides (bench/pom.xml, a test class).
BENCH_SOURCES=("$BENCH_HOME/common/src/main" "$BENCH_HOME/jobs/src/main" "$BENCH_HOME/bench/src")

# bench_build [PATH...]: builds every module (mvn -B -q -DskipTests package, its output on stderr) when
# BENCH_JAR or a PATH is missing (what a launcher needs besides: a test jar, bench/target/lib), or when
# BENCH_SOURCES hold a file newer than BENCH_JAR.
bench_build() {
  local p stale=""
  [ -f "$BENCH_JAR" ] || stale=1
  for p in "$@"; do [ -e "$p" ] || stale=1; done
  if [ -z "$stale" ] && [ -n "$(find "${BENCH_SOURCES[@]}" -newer "$BENCH_JAR" -print -quit)" ]; then
    stale=1
  fi
  if [ -n "$stale" ]; then
    (cd "$BENCH_HOME" && mvn -B -q -DskipTests package) >&2
  fi
}

# bench_java HEAP CLASSPATH CLASS [ARG...]: runs io.aisdistill.bench.CLASS with the jobs' JVM options
# (jobs/target/classes/ais-distill-jvm.options) and a fixed heap (bin/fixed-heap) of
# $AIS_DISTILL_BENCH_JAVA_OPTS, else HEAP (e.g. -Xmx14g); the class path is BENCH_JAR, CLASSPATH (may be
# empty) and the jobs jar with its libraries. bench_exec: the same, in place of the shell (exec).
bench_java() {
  bench_command "$@"
  "${BENCH_CMD[@]}"
}

bench_exec() {
  bench_command "$@"
  exec "${BENCH_CMD[@]}"
}

# bench_command HEAP CLASSPATH CLASS [ARG...]: sets the array BENCH_CMD to bench_java's command.
bench_command() {
  local heap="$1" extra="$2" main="$3"
  shift 3
  # shellcheck disable=SC2046,SC2207
  BENCH_CMD=(java $(cat "$BENCH_HOME/jobs/target/classes/ais-distill-jvm.options")
    $("$BENCH_HOME/bin/fixed-heap" ${AIS_DISTILL_BENCH_JAVA_OPTS:-$heap})
    -cp "$BENCH_JAR${extra:+:$extra}:$BENCH_HOME/jobs/target/ais-distill-jobs.jar:$BENCH_HOME/jobs/target/lib/*"
    "io.aisdistill.bench.$main" "$@")
}
