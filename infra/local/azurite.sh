#!/usr/bin/env bash
# Starts or stops Azurite (the Azure Storage emulator) on loopback for the portable host and the
# integration tests.  Usage: infra/local/azurite.sh start|stop|status
#
# - Azurite comes from the repo's package.json (npm i installs the pinned version into node_modules).
# - --skipApiVersionCheck: Azure.Storage.Blobs 12.30.1 speaks a newer REST API version than Azurite 3.37.0
#   knows; --loose: accept headers Azurite does not implement instead of failing the request;
#   --disableTelemetry: Azurite sends usage data by default; a local emulator should not.
# - Data lives in a temp folder (AZURITE_DATA, default: a fresh mktemp dir), removed on stop.
# - Ports: AZURITE_BLOB_PORT/QUEUE/TABLE (10000/10001/10002, the ones UseDevelopmentStorage=true expects).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state_dir="${AZURITE_STATE_DIR:-$repo_root/.azurite}"
pid_file="$state_dir/azurite.pid"
data_file="$state_dir/data-dir"
log_file="$state_dir/azurite.log"
blob_port="${AZURITE_BLOB_PORT:-10000}"
queue_port="${AZURITE_QUEUE_PORT:-10001}"
table_port="${AZURITE_TABLE_PORT:-10002}"

is_running() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if is_running; then echo "Azurite already running (pid $(cat "$pid_file"))."; return 0; fi
  local bin="$repo_root/node_modules/.bin/azurite"
  if [[ ! -x "$bin" ]]; then
    echo "Installing Azurite (npm, pinned in package.json)…" >&2
    (cd "$repo_root" && npm install --no-audit --no-fund --loglevel=error) >&2
  fi
  if port_answers "$blob_port"; then
    echo "Port $blob_port already answers: another storage emulator is running; using it." >&2
    return 0
  fi
  mkdir -p "$state_dir"
  local data="${AZURITE_DATA:-$(mktemp -d -t azurite.XXXXXX)}"
  echo "$data" > "$data_file"
  # setsid: Azurite gets its own process group, so `stop` ends it and its children, nothing else.
  setsid "$bin" --silent --skipApiVersionCheck --loose --disableTelemetry \
    --blobHost 127.0.0.1 --blobPort "$blob_port" \
    --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" \
    --location "$data" >"$log_file" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  for _ in $(seq 1 120); do
    if port_answers "$blob_port" && port_answers "$queue_port" && port_answers "$table_port"; then
      echo "Azurite running (pid $(cat "$pid_file")), blob port $blob_port, data in $data."
      return 0
    fi
    if ! is_running; then echo "Azurite exited during start-up; log:" >&2; cat "$log_file" >&2; rm -f "$pid_file"; return 1; fi
    sleep 0.5
  done
  echo "Azurite did not answer on port $blob_port within 60 s; log: $log_file" >&2
  stop; return 1
}

stop() {
  if ! is_running; then echo "Azurite is not running (no live pid in $pid_file)."; rm -f "$pid_file"; return 0; fi
  local pid; pid="$(cat "$pid_file")"
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$pid_file"
  if [[ -f "$data_file" && -z "${AZURITE_DATA:-}" ]]; then rm -rf "$(cat "$data_file")"; fi
  rm -f "$data_file"
  echo "Azurite stopped."
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running (pid $(cat "$pid_file"))"; else echo "stopped"; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
