#!/bin/sh
# The real vipd on the real kernel's IPVS, in the test VM (tests/kernel/vm-run):
#   vipd_e2e.sh VIPD [VIPC]
# HTTP servers (busybox httpd) on 127.0.0.2-4:80 behind VIPs on lo, NAT forwarding, so that
# a connection from the guest itself goes through IPVS. In order: programming, depool by
# remove and by drain and the server's return, a foreign service left alone, drift repair
# (one destination deleted by hand, then ipvsadm -C), adoption after SIGKILL (a connection
# through IPVS survives the restart), an owned service that left the configuration deleted
# at the next start, SIGTERM leaving the table, a corrupt state file, the configuration's
# global settings (timeouts, state file, re-dump interval), and the start-up errors (no
# CAP_NET_ADMIN, no IPVS; a dry run with timeouts configured). Each check prints "ok" or
# "FAIL"; exit 1 on any FAIL.
vipd=$1
vipc=${2:-}
ipvsadm=${VIPD_IPVSADM:-ipvsadm}
work=/tmp/vipd-e2e
state=$work/state.json
failures=0
vipd_pid=""
run=0

ok() { echo "ok - $*"; }
fail() {
  echo "FAIL - $*"
  failures=$((failures + 1))
}
check() {
  name=$1
  shift
  if "$@"; then
    ok "$name"
  else
    fail "$name"
    return 1
  fi
}

# Polls `command` every 0.2 s for up to `seconds`.
wait_for() {
  seconds=$1
  shift
  tries=$((seconds * 5))
  while [ "$tries" -gt 0 ]; do
    "$@" && return 0
    sleep 0.2
    tries=$((tries - 1))
  done
  return 1
}

# --- the servers and the configurations ---------------------------------------------------
start_server() {
  httpd -f -p "127.0.0.$1:80" -h $work/www &
  eval "server_$1=$!"
}
stop_server() {
  eval "kill \$server_$1"
  eval "wait \$server_$1" 2>/dev/null
}

# fall 3: under emulation on a busy host one check can be slow; a restart whose first check
# timed out would depool the server (legitimately) and spoil the adoption check.
service_json() {  # name vip depool-action
  cat <<JSON
      {"name": "$1", "protocol": "tcp", "address": "$2", "port": 80, "scheduler": "wrr",
       "forwarding": "nat", "depool-action": "$3", "depool-threshold": "0.5",
       "monitor": [{"name": "http", "kind": "http", "interval": 1, "timeout": 2, "fall": 3,
                    "jitter": "0", "http": {"url": ["http://e2e.test/"]}}],
       "server": [{"host": "127.0.0.2"}, {"host": "127.0.0.3"}, {"host": "127.0.0.4"}]}
JSON
}

write_config() {  # file, then the services as "name vip action" words; $global_json if set
  file=$1
  shift
  {
    echo '{"vipd:config": {'
    [ -z "${global_json:-}" ] || echo "\"global\": $global_json,"
    echo '"service": ['
    separator=""
    while [ $# -gt 0 ]; do
      printf '%s' "$separator"
      service_json "$1" "$2" "$3"
      separator=","
      shift 3
    done
    echo ']}}'
  } >"$file"
}

# --- vipd ----------------------------------------------------------------------------------
start_vipd() {  # config, then more options (default: the state file and a 1 s re-dump)
  run=$((run + 1))
  log=$work/vipd-$run.log
  : >"$log"
  config=$1
  shift
  [ $# -gt 0 ] || set -- --state-file $state --ipvs-redump-interval 1
  "$vipd" --config "$config" "$@" >$work/stdout-$run 2>"$log" &
  vipd_pid=$!
}
in_step() { grep -q "ipvs table in step" "$log"; }
show_log() {
  echo "--- $log (monitors down, last lines)"
  grep "monitor down" "$log" | head -n 5
  tail -n 8 "$log"
}
wait_in_step() {
  if ! wait_for 20 in_step; then
    fail "vipd run $run reached a table in step"
    show_log
    return 1
  fi
}

# --- the table -----------------------------------------------------------------------------
saved() { $ipvsadm -S -n | sort; }
has_line() { saved | grep -qx -- "$1"; }
lacks_line() { ! saved | grep -q -- "$1"; }

# The ipvsadm -S -n lines of a service whose servers all have `weights` (one a server,
# "-" for no destination).
expected_service() {  # vip w2 w3 w4
  echo "-A -t $1:80 -s wrr"
  vip=$1
  shift
  n=2
  for weight in "$@"; do
    [ "$weight" = "-" ] || echo "-a -t $vip:80 -r 127.0.0.$n:80 -m -w $weight"
    n=$((n + 1))
  done
}
table_is() {  # the expected lines, on stdin
  sort >$work/expected
  saved >$work/actual
  cmp -s $work/expected $work/actual
}
show_table() {
  echo "--- expected"
  cat $work/expected
  echo "--- ipvsadm -S -n"
  cat $work/actual
}
full_table() {
  {
    expected_service 10.10.0.1 10 10 10
    expected_service 10.10.0.2 10 10 10
    [ "${1:-}" = "without-leaving" ] || expected_service 10.10.0.3 10 10 10
    echo "-A -t 10.10.0.9:80 -s rr"
    echo "-a -t 10.10.0.9:80 -r 127.0.0.9:80 -m -w 5"
  } | table_is
}

add_foreign() {
  $ipvsadm -A -t 10.10.0.9:80 -s rr && $ipvsadm -a -t 10.10.0.9:80 -r 127.0.0.9:80 -m -w 5
}

# --- the steps -----------------------------------------------------------------------------
setup() {
  mkdir -p $work/www
  echo hello >$work/www/index.html
  for vip in 10.10.0.1 10.10.0.2 10.10.0.3; do ip addr add $vip/32 dev lo; done
  for n in 2 3 4; do start_server $n; done
  write_config $work/a.json web 10.10.0.1 remove drain 10.10.0.2 drain leaving 10.10.0.3 remove
  write_config $work/b.json web 10.10.0.1 remove drain 10.10.0.2 drain
  global_json="{\"state-file\": \"$work/configured/state.json\", \"ipvs\": {
    \"redump-interval\": 1, \"timeouts\": {\"tcp\": 7200, \"tcp-fin\": 30, \"udp\": 60}}}" \
    write_config $work/c.json web 10.10.0.1 remove drain 10.10.0.2 drain
  add_foreign
}

test_programming() {
  start_vipd $work/a.json
  wait_in_step || return
  check "vipd programs every service, the foreign one untouched" wait_for 10 full_table ||
    show_table
  $ipvsadm -Ln >$work/ln
  check "ipvsadm -Ln shows NAT (Masq) destinations of weight 10" \
    grep -q -- "-> 127.0.0.3:80 *Masq *10" $work/ln
  check "the state file names vipd's services, not the foreign one" sh -c \
    "grep -q 10.10.0.1 $state && grep -q 10.10.0.3 $state && ! grep -q 10.10.0.9 $state"
}

# vipc against the daemon on the real kernel: the table as vipd sees it, and the kernel's
# traffic counters (read over netlink every 5 s) once connections went through IPVS.
test_control_plane() {
  [ -n "$vipc" ] || return 0
  socket=/run/vipd/vipd.ctl
  check "vipc show ipvs shows the kernel's IPVS version and service" sh -c \
    "$vipc -s $socket show ipvs >$work/show-ipvs &&
     grep -q 'IP Virtual Server version 1\.' $work/show-ipvs &&
     grep -q 'TCP  10.10.0.1:80' $work/show-ipvs" || cat $work/show-ipvs
  for _ in 1 2 3; do wget -q -O /dev/null http://10.10.0.1/ 2>/dev/null; done
  check "vipc show ipvs stats shows the connections that went through IPVS" wait_for 20 sh -c \
    "$vipc -s $socket show ipvs stats | awk '\$1 == \"TCP\" && \$2 == \"10.10.0.1:80\" &&
     \$3 > 0 { found = 1 } END { exit !found }'" || $vipc -s $socket show ipvs stats
  check "vipc show servers lists the three servers of web up and pooled" sh -c \
    "$vipc -s $socket show servers web >$work/show-servers && awk '\$1 == \"web\" &&
     \$5 == \"up\" && \$6 == \"yes\" { n++ } END { exit n != 3 }' $work/show-servers" ||
    cat $work/show-servers
}

test_depool_and_return() {
  stop_server 3
  check "a dead server is removed (remove) and drained to weight 0 (drain)" wait_for 10 sh -c \
    "! $ipvsadm -S -n | grep -q -- '-t 10.10.0.1:80 -r 127.0.0.3:80' &&
     $ipvsadm -S -n | grep -q -- '-a -t 10.10.0.2:80 -r 127.0.0.3:80 -m -w 0'"
  $ipvsadm -Ln >$work/ln
  check "ipvsadm -Ln agrees: the drained destination has weight 0" \
    grep -q -- "-> 127.0.0.3:80 *Masq *0" $work/ln
  start_server 3
  check "the server's return restores both destinations" wait_for 10 full_table || show_table
}

test_drift_repair() {
  $ipvsadm -d -t 10.10.0.1:80 -r 127.0.0.4:80
  check "a destination deleted by hand is put back at the next re-dump" wait_for 10 full_table
  check "the drift is logged" grep -q 'ipvs drift found service="-t 10.10.0.1:80"' "$log"

  $ipvsadm -C
  check "after ipvsadm -C vipd's services come back (and the foreign one does not)" \
    wait_for 10 sh -c "$ipvsadm -S -n | grep -q -- '-a -t 10.10.0.3:80 -r 127.0.0.4:80' &&
      $ipvsadm -S -n | grep -q -- '-a -t 10.10.0.1:80 -r 127.0.0.2:80' &&
      ! $ipvsadm -S -n | grep -q 10.10.0.9"
  add_foreign
  check "the table is whole again" wait_for 10 full_table || show_table
}

# A connection through IPVS whose entry must outlive the restart: with expire_nodest_conn,
# deleting its destination (as a delete and re-add would) drops the entry at once.
witness_entry() {
  grep ' 0A0A0001 0050 ' /proc/net/ip_vs_conn | grep ESTABLISHED | awk '{print $2, $3, $6}'
}
test_adoption_after_sigkill() {
  sysctl -qw net.ipv4.vs.expire_nodest_conn=1
  mkfifo $work/witness
  nc 10.10.0.1 80 <$work/witness >/dev/null &
  witness_pid=$!
  exec 3>$work/witness
  wait_for 5 sh -c "grep -q ESTABLISHED /proc/net/ip_vs_conn"
  before=$(witness_entry)
  check "a witness connection is established through IPVS" [ -n "$before" ]

  kill -9 "$vipd_pid"
  wait "$vipd_pid" 2>/dev/null
  start_vipd $work/a.json
  wait_in_step || return
  check "the restart adopts the table: no operation applied" \
    grep -q "ipvs table in step backend=netlink operations_applied=0 owned=3" "$log" || show_log
  check "the witness connection's entry survived the restart" [ "$(witness_entry)" = "$before" ]
  check "the table is unchanged" full_table

  # The proof's own check: deleting the witness's destination does drop its entry.
  set -- $before
  dest=$(printf '%d.%d.%d.%d' 0x$(echo "$3" | cut -c1-2) 0x$(echo "$3" | cut -c3-4) \
    0x$(echo "$3" | cut -c5-6) 0x$(echo "$3" | cut -c7-8))
  $ipvsadm -d -t 10.10.0.1:80 -r "$dest:80"
  check "(control) deleting the witness's destination drops its entry" \
    wait_for 5 sh -c "! grep ' 0A0A0001 0050 ' /proc/net/ip_vs_conn | grep -q ESTABLISHED"
  exec 3>&-
  kill "$witness_pid" 2>/dev/null
  sysctl -qw net.ipv4.vs.expire_nodest_conn=0
  check "vipd puts the destination back" wait_for 10 full_table
}

test_left_the_configuration() {
  kill -9 "$vipd_pid"
  wait "$vipd_pid" 2>/dev/null
  start_vipd $work/b.json
  wait_in_step || return
  check "an owned service that left the configuration is deleted at the next start" \
    wait_for 5 full_table without-leaving || show_table
  check "the state file no longer names it" wait_for 5 sh -c "! grep -q 10.10.0.3 $state"
}

test_sigterm_leaves_the_table() {
  kill -TERM "$vipd_pid"
  wait "$vipd_pid"
  status=$?
  check "SIGTERM stops vipd with status 0" [ "$status" -eq 0 ]
  check "the IPVS entries stay after vipd stops" full_table without-leaving
}

test_corrupt_state_file() {
  echo '{"version": 1, "services": [' >$state
  start_vipd $work/b.json
  wait_in_step || return
  check "a corrupt state file is logged and read as empty" \
    grep -q "state file unreadable" "$log"
  check "vipd runs on with the table whole" full_table without-leaving
  check "the state file is rewritten" wait_for 5 sh -c "grep -q '\"version\":[0-9]' $state"
  kill -TERM "$vipd_pid"
  wait "$vipd_pid"
}

# The configuration's global settings, with no option to override them: the kernel's timeouts
# set (and the previous ones logged), the state file where the configuration says, and its
# re-dump interval (1 s: the default 60 s would not repair the drift within the wait).
test_configured_settings() {
  $ipvsadm --set 900 120 300
  mkdir -p $work/configured
  start_vipd $work/c.json --log-level info
  wait_in_step || return
  check "the configured timeouts are in the kernel" sh -c \
    "$ipvsadm -L --timeout | grep -q 'Timeout (tcp tcpfin udp): 7200 30 60'" ||
    $ipvsadm -L --timeout
  applied="ipvs timeouts set backend=netlink tcp=7200 tcp_fin=30 udp=60"
  previous="previous_tcp=900 previous_tcp_fin=120 previous_udp=300"
  check "the timeouts applied and the kernel's previous ones are logged" \
    grep -q "$applied $previous" "$log" || show_log
  check "the state file is written where the configuration says" wait_for 5 sh -c \
    "grep -q 10.10.0.1 $work/configured/state.json"
  $ipvsadm -d -t 10.10.0.2:80 -r 127.0.0.2:80
  check "the configured re-dump interval repairs drift" wait_for 10 full_table without-leaving
  kill -TERM "$vipd_pid"
  wait "$vipd_pid"
  $ipvsadm --set 900 120 300
}

# busybox's su drops root, and so every capability; the guest has no nobody of its own.
test_startup_errors() {
  echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
  su -s /bin/sh -c "timeout 20 $vipd --config $work/b.json --state-file $work/nobody.json" \
    nobody >/dev/null 2>$work/nocap
  status=$?
  check "without CAP_NET_ADMIN: exit 1 and the capability named" sh -c \
    "[ $status -eq 1 ] && grep -q 'vipd needs the CAP_NET_ADMIN capability' $work/nocap" ||
    cat $work/nocap

  # Unloaded, and not loaded again on demand: an empty modprobe setting loads nothing.
  $ipvsadm -C
  for module in $(lsmod | awk '$1 ~ /^ip_vs_/ {print $1}'); do rmmod "$module"; done
  rmmod ip_vs
  echo >/proc/sys/kernel/modprobe
  timeout 20 "$vipd" --config $work/b.json --state-file $state >/dev/null 2>$work/noipvs
  status=$?
  check "without IPVS: exit 1 and what to do said" sh -c "[ $status -eq 1 ] &&
    grep -q 'the kernel lacks IPVS: load ip_vs or run with --dry-run' $work/noipvs" ||
    cat $work/noipvs
  timeout 20 "$vipd" --config $work/c.json --dry-run >$work/dry 2>$work/dry-log &
  dry_pid=$!
  check "--dry-run works without IPVS" wait_for 10 grep -q "ipvs table in step" $work/dry-log
  kill -TERM $dry_pid
  wait $dry_pid
  check "--dry-run logs the timeouts it would set, on standard error" grep -q \
    "ipvs timeouts set backend=dry-run tcp=7200 tcp_fin=30 udp=60" $work/dry-log
  check "--dry-run's standard output holds only ipvsadm rule lines" sh -c \
    "[ -s $work/dry ] && ! grep -qv -- '^-[AaEeDd] ' $work/dry" || cat $work/dry
}

setup
test_programming
test_control_plane
test_depool_and_return
test_drift_repair
test_adoption_after_sigkill
test_left_the_configuration
test_sigterm_leaves_the_table
test_corrupt_state_file
test_configured_settings
test_startup_errors

if [ "$failures" -ne 0 ]; then
  echo "vipd end-to-end: $failures check(s) failed"
  exit 1
fi
echo "vipd end-to-end: all checks passed"
