#!/usr/bin/python3
"""Remotes that accept a connection and then keep a client waiting, for the
end-to-end tests of obsenv's fetch time limits. It stops by itself after
LIFETIME seconds. Usage: stuck_remote.py MODE PORT LIFETIME [CERT KEY]
  silent  accept, then never send a byte
  banner  send an SSH banner (a few bytes), then nothing
  https   complete the TLS handshake with CERT/KEY, read the request, send
          half of a response header, then nothing"""
import socket
import ssl
import sys
import threading
import time

MODE, PORT, LIFETIME = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
held = []


def serve(conn):
    if MODE == "banner":
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
    elif MODE == "https":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        conn.settimeout(LIFETIME)
        conn = ctx.wrap_socket(conn, server_side=True)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-")
    held.append(conn)


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", PORT))
    server.listen(16)
    end = time.monotonic() + LIFETIME
    while time.monotonic() < end:
        server.settimeout(max(end - time.monotonic(), 0.01))
        try:
            conn, _ = server.accept()
        except (socket.timeout, OSError):
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
