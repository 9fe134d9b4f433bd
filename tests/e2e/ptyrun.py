#!/usr/bin/python3
"""Runs a command on a new pseudo-terminal, as a caller who wants to park
it would: "tcooff" suspends the terminal's output (what ^S or
tcflow(TCOOFF) does) before the command starts; "ctrlz" types ^Z into the
terminal once the command runs. Never reads the terminal. Writes the
command's pid to PIDFILE, kills it after LIFE seconds at the latest, and
exits with 0 when it ended by itself, 9 when it had to be killed."""
import os
import pty
import signal
import sys
import termios
import time

mode, pidfile, life, cmd = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    if mode == "tcooff":
        termios.tcflow(1, termios.TCOOFF)
    os.execv(cmd[0], cmd)
with open(pidfile, "w") as f:
    f.write("%d\n" % pid)
if mode == "ctrlz":
    time.sleep(0.5)
    os.write(fd, b"\x1a")
end = time.monotonic() + life
while time.monotonic() < end:
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done:
        sys.exit(0)
    time.sleep(0.05)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.exit(9)
