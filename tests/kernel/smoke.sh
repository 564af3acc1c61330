#!/bin/sh
# Runs in the guest: the harness's own check that the VM has what the kernel tests need.
set -e

ipvsadm -Ln | grep -q '^IP Virtual Server version'
test -d /sys/module/ip_vs

# A scheduler module is loaded on demand when a service names it.
ipvsadm -A -t 192.0.2.1:80 -s sh
grep -q '^ip_vs_sh ' /proc/modules
ipvsadm -D -t 192.0.2.1:80

# iproute2's ip (not busybox's) can make a veth pair.
"$VIPD_IP" link add vm0 type veth peer name vm1
"$VIPD_IP" link del vm0

echo "smoke: ok"
