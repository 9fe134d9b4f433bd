#!/usr/bin/env python3
"""Reads journalctl -o export on stdin and writes each entry as the syslog
receiver (logsink.c) writes a datagram: "<PRI>IDENT[PID]: MESSAGE", one
line per entry, printable ASCII kept and any other byte as RAW(hh). The
suite then reads the journal with the same assertions as the socket."""
import sys


def entries(f):
    entry = {}
    while True:
        line = f.readline()
        if not line:
            return
        if line == b"\n":
            if entry:
                yield entry
            entry = {}
            continue
        name, eq, value = line.rstrip(b"\n").partition(b"=")
        if not eq:
            # A binary field: its name, a little-endian 64-bit size, the bytes.
            size = int.from_bytes(f.read(8), "little")
            value = f.read(size)
            f.read(1)
        entry.setdefault(name.decode(), value)


def printable(b):
    return "".join(chr(c) if 0x20 <= c < 0x7f else "RAW(%02x)" % c for c in b)


out = sys.stdout
for e in entries(sys.stdin.buffer):
    try:
        pri = int(e.get("SYSLOG_FACILITY", b"1")) * 8 + int(e.get("PRIORITY", b"6"))
    except ValueError:
        pri = -1
    ident = printable(e.get("SYSLOG_IDENTIFIER", b"?"))
    pid = printable(e.get("SYSLOG_PID", e.get("_PID", b"?")))
    out.write("<%d>%s[%s]: %s\n" % (pri, ident, pid, printable(e.get("MESSAGE", b""))))
    out.flush()
