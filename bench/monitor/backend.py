#!/usr/bin/env python3
"""A killable backend for the detection benchmark (bench/monitor/run detect ...).

Usage: backend.py ADDRESS PORT

Listens on ADDRESS:PORT, holds every connection open while it is idle (what vipd's
idle-connection monitor needs), and answers each request it receives with one
"HTTP/1.1 200 OK" and a close (what the http monitor needs). Prints "listening" once the
socket is bound, so that the runner knows when to expect vipd to pool it. Killed with
SIGKILL by the runner: the kernel then closes its connections, which is the death that
vipd has to notice.
"""
import selectors
import socket
import sys

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            b"Connection: close\r\n\r\nok\n")


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(1024)
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    print(f"listening {address}:{port}", flush=True)

    while True:
        for key, _ in selector.select():
            if key.fileobj is listener:
                try:
                    connection, _ = listener.accept()
                except BlockingIOError:
                    continue
                connection.setblocking(False)
                selector.register(connection, selectors.EVENT_READ)
                continue
            connection = key.fileobj
            try:
                data = connection.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            # Answer only what looks like a complete request head; anything else closes.
            if data and b"\r\n\r\n" in data:
                try:
                    connection.sendall(RESPONSE)
                except OSError:
                    pass
            if data and b"\r\n\r\n" not in data:
                continue
            selector.unregister(connection)
            connection.close()


if __name__ == "__main__":
    main()
