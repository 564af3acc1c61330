#!/usr/bin/env python3
"""A minimal HTTP backend for vipd's demo and end-to-end tests.

Usage: http_backend.py ADDRESS PORT [STATUS]     (ADDRESS IPv4 or IPv6)
Answers every GET with STATUS (default 200) and the line "ok from ADDRESS:PORT". It
keeps idle connections open (HTTP/1.1), as a real server would, so that vipd's
idle-connection monitor sees the moment the process dies.
"""
import http.server
import socket
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 200

    def do_GET(self):
        body = f"ok from {self.server.server_address[0]}:{self.server.server_address[1]}\n"
        data = body.encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    Handler.status = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    if ":" in address:  # an IPv6 address
        Server.address_family = socket.AF_INET6
    with Server((address, port), Handler) as server:
        print(f"listening {address}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
