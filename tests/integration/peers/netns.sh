#!/bin/bash
# netns.sh up|down TAG: namespaces TAGr (router) and TAGs (speaker) joined by a veth pair,
# 169.254.0.1/30 and fd00:0:0:1::1/64 on the router's side, .2 and ::2 on the speaker's.
# Nothing is added to the root namespace; deleting the namespaces removes everything.
set -e
op=$1
tag=${2:-bgp}
router=${tag}r
speaker=${tag}s
if [ "$op" = up ]; then
  ip netns add "$router"
  ip netns add "$speaker"
  ip -n "$router" link set lo up
  ip -n "$speaker" link set lo up
  ip -n "$router" link add veth0 type veth peer name veth1 netns "$speaker"
  ip -n "$router" addr add 169.254.0.1/30 dev veth0
  ip -n "$speaker" addr add 169.254.0.2/30 dev veth1
  ip -n "$router" addr add fd00:0:0:1::1/64 dev veth0 nodad
  ip -n "$speaker" addr add fd00:0:0:1::2/64 dev veth1 nodad
  ip -n "$router" link set veth0 up
  ip -n "$speaker" link set veth1 up
else
  ip netns del "$router" 2>/dev/null || true
  ip netns del "$speaker" 2>/dev/null || true
fi
