#!/usr/bin/env bash
# CI snippet (not wired into .ci/run yet): serving a training output with llama-cpp-python's
# OpenAI-compatible server ("base" and "student" aliases), for the evaluate job and the serve tests.
#
# Standalone:  bash .ci/serve-snippet.sh TRAIN_OUT [PORT]   (install, start, one request, stop)
# In .ci/run:  source the functions below (or paste them) after the trainer venv is ready:
#   1. serve_install                       BEFORE the trainer pytest run (tests/test_serve.py needs it)
#   2. serve_start "$exp/lora" 8080        after `bin/ais-distill train ... --out "$exp/lora"`
#      ... evaluate against http://127.0.0.1:8080/v1 (models "base", "student") ...
#   3. serve_stop                          (also put it in the EXIT trap)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=${venv:-jobs/lora-trainer/.venv}

serve_install() {
  # llama-cpp-python is an sdist: pip compiles llama.cpp (CPU, OpenMP) with cmake and g++ (~8 min on
  # 2 cores the first time; later installs reuse pip's cached wheel in ~/.cache/pip/wheels).
  if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then
    apt-get update -q && apt-get install -y -q cmake build-essential
  fi
  local t0; t0=$(date +%s)
  # PIP_CONSTRAINT (unlike -c) also pins the isolated build environment (scikit-build-core).
  PIP_CONSTRAINT=jobs/lora-trainer/constraints.txt "$venv/bin/pip" install -q --disable-pip-version-check \
    -r jobs/lora-trainer/requirements-serve.txt
  "$venv/bin/pip" check
  echo "serve deps ready in $(( $(date +%s) - t0 )) s"
}

serve_start() {  # serve_start TRAIN_OUT PORT: background server, waits until GET /v1/models answers
  local out=$1 port=${2:-8080} t0; t0=$(date +%s)
  PYTHONPATH=jobs/lora-trainer/src "$venv/bin/python" -m lora_trainer serve --train-out "$out" \
    --host 127.0.0.1 --port "$port" > "$out/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 600); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/v1/models"; then
      echo "server (pid $serve_pid) up on http://127.0.0.1:$port/v1 in $(( $(date +%s) - t0 )) s"; return 0
    fi
    if ! kill -0 "$serve_pid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "server did not start; log:" >&2; tail -50 "$out/serve.log" >&2; return 1
}

serve_stop() {
  if [ -n "${serve_pid:-}" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; serve_pid=; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  [ $# -ge 1 ] || { echo "usage: $0 TRAIN_OUT [PORT]" >&2; exit 2; }
  trap serve_stop EXIT
  serve_install
  serve_start "$1" "${2:-8080}"
  for model in base student; do
    curl -fsS "http://127.0.0.1:${2:-8080}/v1/chat/completions" -H 'Content-Type: application/json' \
      -d "{\"model\": \"$model\", \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}], \"max_tokens\": 16, \"temperature\": 0}"
    echo
  done
fi
