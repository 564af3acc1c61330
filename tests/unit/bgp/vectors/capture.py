#!/usr/bin/env python3
"""Records every BGP message BIRD sends to a speaker on 127.0.0.2:11792 (see README.md).

Usage: capture.py BIRD_CTL OUT_FILE four-octet|two-octet
       capture.py - OUT_FILE exabgp

Answers BIRD's OPEN with a hand-made OPEN (AS 64512; the 4-octet AS capability only in
four-octet mode) and a KEEPALIVE, keeps the session up with KEEPALIVEs, and drives BIRD
through birdc: a ROUTE-REFRESH from us (BIRD answers with enhanced route refresh), a
`reload in` (BIRD sends ROUTE-REFRESH), disabling the static protocols (withdrawals), and
`disable speaker4 "..."` (a NOTIFICATION with a shutdown communication). With exabgp,
ExaBGP connects by itself and only its OPEN and routes are kept. Writes one message per
line as hex, each after a comment line naming it.
"""
import socket, struct, subprocess, sys, time

ctl, out_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
MARKER = b'\xff' * 16

def message(kind, body):
    return MARKER + struct.pack('!HB', 19 + len(body), kind) + body

def capability(code, value):
    return bytes([code, len(value)]) + value

caps = (capability(1, struct.pack('!HBB', 1, 0, 1)) + capability(1, struct.pack('!HBB', 2, 0, 1))
        + capability(2, b'') + capability(70, b''))
if mode in ('four-octet', 'exabgp'):
    caps += capability(65, struct.pack('!I', 64512))
params = bytes([2, len(caps)]) + caps
OPEN = message(1, struct.pack('!BHHI', 4, 64512, 9, 0x0AFF0002) + bytes([len(params)]) + params)
KEEPALIVE = message(4, b'')

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.2', 11792))
listener.listen(1)
listener.settimeout(30)
conn, _ = listener.accept()
conn.settimeout(0.3)
buffer, records, last_keepalive = b'', [], time.time()

def birdc(*command):
    subprocess.run(['birdc', '-s', ctl] + list(command), check=True, capture_output=True)

def pump():
    """Reads what arrived; returns the whole messages; keeps the session alive."""
    global buffer, last_keepalive
    if time.time() - last_keepalive > 2:
        conn.sendall(KEEPALIVE)
        last_keepalive = time.time()
    try:
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError
        buffer += chunk
    except socket.timeout:
        pass
    messages = []
    while len(buffer) >= 19:
        length = struct.unpack('!H', buffer[16:18])[0]
        if len(buffer) < length:
            break
        messages.append(buffer[:length])
        buffer = buffer[length:]
    return messages

def until(done, note, timeout=15):
    """Records messages until done(message) is true for one of them."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            arrived = pump()
        except EOFError:
            if note == 'shutdown':
                return
            raise SystemExit('connection closed while waiting for: ' + note)
        for m in arrived:
            records.append((note, m))
            if done(m):
                return
    raise SystemExit("timed out waiting for: " + note)

def kind(m): return m[18]
def is_eor6(m):
    """An UPDATE holding only an empty MP_UNREACH_NLRI for IPv6, with or without the
    extended length bit (ExaBGP sets it)."""
    if kind(m) != 2 or m[19:21] != b'\0\0' or len(m) < 26 or m[24] != 15:
        return False
    value = m[27:] if m[23] & 0x10 else m[26:]
    return value == bytes.fromhex('000201')
def is_eor(m): return (kind(m) == 2 and len(m) == 23) or is_eor6(m)
eors = []
def both_eors(m):
    if is_eor(m):
        eors.append(m)
    return len(eors) == 2

until(lambda m: kind(m) == 1, 'open')
conn.sendall(OPEN + KEEPALIVE)
last_keepalive = time.time()
until(both_eors, 'initial routes')

if mode == 'exabgp':
    # ExaBGP is not driven further: it gets a Cease and its routes are what is kept.
    conn.sendall(message(3, bytes([6, 2, 0])))
else:
    # RFC 2918 ROUTE-REFRESH for IPv4 unicast; with enhanced route refresh negotiated BIRD
    # answers BoRR, the routes, EoRR (RFC 7313).
    conn.sendall(message(5, struct.pack('!HBB', 1, 0, 1)))
    until(lambda m: kind(m) == 5 and m[21] == 2, 'answer to our route refresh')

    birdc('reload', 'in', 'speaker4')
    until(lambda m: kind(m) == 5, 'reload in')

    birdc('disable', 'static4')
    until(lambda m: kind(m) == 2 and m[19:21] != b'\0\0', 'ipv4 withdrawn')
    birdc('disable', 'static6')
    until(lambda m: kind(m) == 2 and m[21:23] != b'\0\0' and m[23 + 1] == 15, 'ipv6 withdrawn')

    birdc('disable', 'speaker4', '"vipd vector capture: maintenance"')
    until(lambda m: kind(m) == 3, 'shutdown')

names = {1: 'open', 2: 'update', 3: 'notification', 5: 'route-refresh'}
with open(out_path, 'w') as out:
    out.write('# Messages the peer sent, in order (%s session), KEEPALIVEs left out;'
              ' see README.md.\n' % mode)
    for note, m in records:
        if kind(m) != 4:
            out.write('# %s (%s)\n%s\n' % (names.get(kind(m), '?'), note, m.hex()))
conn.close()
