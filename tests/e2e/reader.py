#!/usr/bin/env python3
"""Reads every package of an environment until STOP exists.

Each round opens the package's stable path once (as a program that works
in a package directory does) and reads two files through that directory,
which differ between the two versions the switcher alternates. Reports
reads, missing paths, and pairs that match neither version (a mix)."""
import hashlib
import os
import sys

root, stop, *specs = sys.argv[1:]
FILES = ("README.rst", "doc/version_history.rst")
expected = {}
for spec in specs:  # pkg=hashA,hashB
    pkg, pairs = spec.split("=", 1)
    expected.setdefault(pkg, set()).add(pairs)

reads = missing = mixed = 0
while not os.path.exists(stop):
    for pkg, allowed in expected.items():
        try:
            fd = os.open(os.path.join(root, pkg), os.O_RDONLY | os.O_DIRECTORY)
        except OSError as e:
            missing += 1
            print(f"missing {pkg}: {e}", file=sys.stderr)
            continue
        try:
            got = []
            for name in FILES:
                f = os.open(name, os.O_RDONLY, dir_fd=fd)
                with os.fdopen(f, "rb") as h:
                    got.append(hashlib.sha256(h.read()).hexdigest()[:16])
            reads += 1
            if ",".join(got) not in allowed:
                mixed += 1
        except OSError as e:
            missing += 1
            print(f"missing in {pkg}: {e}", file=sys.stderr)
        finally:
            os.close(fd)
print(f"reads={reads} missing={missing} mixed={mixed}")
