#!/usr/bin/python3
"""A remote that accepts connections and never answers (or, with
--trickle, sends one byte now and then): what a stuck server looks like to
obsenv. Listens on 127.0.0.1 only and stops by itself after --life
seconds, so that no test run leaves it behind. Prints its port."""
import argparse
import socket
import sys
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--life", type=float, default=120)
ap.add_argument("--trickle", type=float, default=0, help="seconds between bytes; 0: silent")
ap.add_argument("--port-file", required=True)
a = ap.parse_args()

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(a.port_file, "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
held = []


def serve(c):
    held.append(c)
    while a.trickle:
        time.sleep(a.trickle)
        try:
            c.send(b"0")
        except OSError:
            return


def accept():
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


threading.Thread(target=accept, daemon=True).start()
time.sleep(a.life)
sys.exit(0)
