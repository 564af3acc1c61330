#!/usr/bin/env bash
# Captures the vectors (README.md). With no argument, all of them; "bird" or "exabgp" for
# one peer only. BIRD (bird-capture.conf) runs twice: as AS 65000 to a speaker with the
# 4-octet AS capability, and as AS 4200000001 to one without. ExaBGP
# (exabgp-capture.conf) runs once. Needs bird2, exabgp and python3, as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
which=${1:-all}

capture_bird() {  # LOCAL_AS MODE OUT
  local run status=0
  run=$(mktemp -d)
  sed "s/LOCAL_AS/$1/" "$here/bird-capture.conf" > "$run/bird.conf"
  (cd "$run" && bird -c bird.conf -s "$run/bird.ctl" -P "$run/bird.pid")
  python3 "$here/capture.py" "$run/bird.ctl" "$here/$3" "$2" || status=$?
  kill "$(cat "$run/bird.pid")"
  rm -rf "$run"
  return $status
}

capture_exabgp() {
  local run status=0 listener exabgp
  run=$(mktemp -d)
  python3 "$here/capture.py" - "$here/exabgp.hex" exabgp &
  listener=$!
  sleep 1
  env exabgp.daemon.user=root exabgp.daemon.pid="$run/pid" exabgp.api.cli=false \
    exabgp.log.destination="$run/log" exabgp "$here/exabgp-capture.conf" > /dev/null &
  exabgp=$!
  wait $listener || status=$?
  kill $exabgp 2>/dev/null || true
  wait $exabgp 2>/dev/null || true
  rm -rf "$run"
  return $status
}

if [ "$which" = all ] || [ "$which" = bird ]; then
  capture_bird 65000 four-octet bird-four-octet.hex
  capture_bird 4200000001 two-octet bird-two-octet.hex
fi
if [ "$which" = all ] || [ "$which" = exabgp ]; then
  capture_exabgp
fi
