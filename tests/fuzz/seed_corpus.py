#!/usr/bin/env python3
"""Writes the seed inputs of tests/fuzz/corpus/bgp: every message captured from BIRD
(tests/unit/bgp/vectors/*.hex) and hand-made valid and malformed messages like those of
the unit tests. Files are named seed-*; the rest of the corpus comes from fuzzing runs,
merged with `bgp_codec_fuzzer -merge=1` (see README.md)."""
import os, struct, sys

root = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(root, 'corpus', 'bgp')
vectors = os.path.join(root, '..', 'unit', 'bgp', 'vectors')
os.makedirs(out, exist_ok=True)

def message(kind, body_hex):
    body = bytes.fromhex(body_hex.replace(' ', ''))
    return b'\xff' * 16 + struct.pack('!HB', 19 + len(body), kind) + body

def attribute(flags_type, value_hex):
    value = bytes.fromhex(value_hex.replace(' ', ''))
    return flags_type + '%02x' % len(value) + value.hex()

def update(attributes, nlri='20c6120001', withdrawn=''):
    a = bytes.fromhex(attributes.replace(' ', ''))
    w = bytes.fromhex(withdrawn.replace(' ', ''))
    return message(2, '%04x' % len(w) + w.hex() + '%04x' % len(a) + a.hex() + nlri)

ORIGIN, AS_PATH, NEXT_HOP = '40010100', '4002060201 0000fde8', '400304c0000201'
BASE = ORIGIN + AS_PATH + NEXT_HOP
MP_REACH = attribute('800e', '0002 01 10 20010db8000000000000000000000001 00 20 20010db8')
seeds = {
    'keepalive': message(4, ''),
    'notification-shutdown': message(3, '0602 03 627965'),
    'route-refresh-borr': message(5, '0002 01 01'),
    'route-refresh-long': message(5, '0001 00 01 00'),
    'open': message(1, '04 fc00 005a 0a000001 10 02 0e 0104000100 01 0200 41040000fc00'),
    'open-rfc9072': message(1, '04 fc00 005a 0a000001 ff ff 000b 02 0008 0104000100 01 0200'),
    'open-graceful-restart':
        message(1, '04 fc00 005a 0a000001 0e 02 0c 400a c078 0001 01 80 0002 01 00'),
    'open-version-3': message(1, '03 fc00 005a 0a000001 00'),
    'open-truncated-capability': message(1, '04 fc00 005a 0a000001 06 02 04 41 04 0000'),
    'update-ipv4': update(BASE + attribute('8004', '00000064')
                          + attribute('c008', 'fc000064 ffff0000')
                          + attribute('c020', 'fa56ea01 00000001 00000002')
                          + attribute('e063', 'abcd'),
                          '20c6120001 18c61202', '18c61201'),
    'update-ipv6': update(ORIGIN + '400200' + MP_REACH, ''),
    'update-mp-unreach': update(attribute('800f', '0002 01 30 20010db80001'), ''),
    'update-eor-ipv4': update('', ''),
    'update-eor-ipv6': update('800f03000201', ''),
    'update-as4': update(ORIGIN + '40020402015ba0' + NEXT_HOP
                         + attribute('c007', '5ba0 c0000201') + attribute('c011', '0201 fa56ea01')
                         + attribute('c012', 'fa56ea01 c0000201')),
    'update-as-path-set':
        update(ORIGIN + attribute('4002', '0102 0000fde8 0000fde9 0201 00000001') + NEXT_HOP),
    'update-bad-origin': update('40010103' + AS_PATH + NEXT_HOP),
    'update-bad-flags': update('c0010100' + AS_PATH + NEXT_HOP),
    'update-duplicate': update(BASE + '40010101'),
    'update-missing-next-hop': update(ORIGIN + AS_PATH),
    'update-bad-as-path': update(ORIGIN + '4002060501 0000fde8' + NEXT_HOP),
    'update-overrun': update('40 01 04 00 00'),
    'update-bad-nlri': update(BASE, '21c6120001 00'),
    'update-bad-communities': update(BASE + attribute('c008', '0000000100')),
    'update-bad-aggregator': update(BASE + attribute('c007', 'fde8 c0000201')),
    'update-bad-mp-next-hop':
        update(BASE + attribute('800e', '0002 01 14 20010db8000000000000000000000001 00000000 00')),
    'update-unknown-well-known': update(BASE + '40630100'),
}

for path in sorted(os.listdir(vectors)):
    if not path.endswith('.hex'):
        continue
    lines = [l for l in open(os.path.join(vectors, path)) if l.strip() and not l.startswith('#')]
    for i, line in enumerate(lines):
        seeds['%s-%02d' % (path[:-4], i)] = bytes.fromhex(line.strip())

for name, data in seeds.items():
    with open(os.path.join(out, 'seed-' + name), 'wb') as f:
        f.write(data)
print('%d seeds in %s' % (len(seeds), out))
