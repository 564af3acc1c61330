#!/usr/bin/env python3
"""ExaBGP API process for bgp_interop.py: reads ExaBGP's JSON messages on stdin and keeps
FOLDER/rib.json ({peer: {family: {prefix: attributes with "next-hop"}}}) and
FOLDER/state.json ({peer: state}) current, each rewritten whole after every message; every
message is appended to FOLDER/messages.jsonl."""
import json
import os
import sys

folder = sys.argv[1]
rib = {}
state = {}


def write(name, value):
    temporary = os.path.join(folder, name + ".tmp")
    with open(temporary, "w") as out:
        json.dump(value, out)
    os.replace(temporary, os.path.join(folder, name))


def handle(message):
    neighbor = message.get("neighbor", {})
    peer = neighbor.get("address", {}).get("peer")
    if message.get("type") == "state":
        state[peer] = neighbor.get("state")
        if neighbor.get("state") == "down":
            rib.pop(peer, None)
        return
    if message.get("type") != "update":
        return
    update = neighbor.get("message", {}).get("update", {})
    attributes = update.get("attribute", {})
    for family, by_next_hop in update.get("announce", {}).items():
        for next_hop, prefixes in by_next_hop.items():
            for prefix in prefixes:
                entry = dict(attributes, **{"next-hop": next_hop})
                rib.setdefault(peer, {}).setdefault(family, {})[prefix["nlri"]] = entry
    for family, prefixes in update.get("withdraw", {}).items():
        for prefix in prefixes:
            rib.get(peer, {}).get(family, {}).pop(prefix["nlri"], None)


write("rib.json", rib)
write("state.json", state)
log = open(os.path.join(folder, "messages.jsonl"), "a", buffering=1)
for line in sys.stdin:
    log.write(line)
    try:
        handle(json.loads(line))
    except ValueError:
        continue
    write("rib.json", rib)
    write("state.json", state)
