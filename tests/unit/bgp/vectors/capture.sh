#!/usr/bin/env bash
# Captures the vectors: runs BIRD (bird-capture.conf) against capture.py twice, once as a
# 4-octet AS peer (AS 65000) to a 4-octet speaker, once as AS 4200000001 to a speaker
# without the 4-octet AS capability. Needs bird2 (birdc) and python3; root for 127.0.0.2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

capture() {  # LOCAL_AS MODE OUT
  local run
  run=$(mktemp -d)
  sed "s/LOCAL_AS/$1/" "$here/bird-capture.conf" > "$run/bird.conf"
  (cd "$run" && bird -c bird.conf -s "$run/bird.ctl" -P "$run/bird.pid")
  local status=0
  python3 "$here/capture.py" "$run/bird.ctl" "$here/$3" "$2" || status=$?
  kill "$(cat "$run/bird.pid")"
  rm -rf "$run"
  return $status
}

capture 65000 four-octet bird-four-octet.hex
capture 4200000001 two-octet bird-two-octet.hex
