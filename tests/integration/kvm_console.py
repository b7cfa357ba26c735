#!/usr/bin/env python3
"""Receives a container's terminal the way containerd does (the master of a pty, sent over a
unix socket with SCM_RIGHTS), sets its window size, types some input, and copies what the
terminal shows into a file until the other side closes.

    kvm_console.py SOCKET OUTFILE [--rows N --cols N] [--input TEXT] [--resize ROWSxCOLS]
"""
import argparse, array, fcntl, os, socket, struct, sys, termios, time

ap = argparse.ArgumentParser()
ap.add_argument("socket")
ap.add_argument("outfile")
ap.add_argument("--rows", type=int, default=0)
ap.add_argument("--cols", type=int, default=0)
ap.add_argument("--input", default="")
ap.add_argument("--wait-for", default="", help="type the input once the output holds this")
a = ap.parse_args()

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(a.socket)
srv.listen(1)
print("ready", flush=True)
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(256, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
if not fds:
    sys.exit("no fd received")
master = fds[0]
if a.rows and a.cols:
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
typed = not a.input
seen = b""
with open(a.outfile, "wb", buffering=0) as out:
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out.write(chunk)
        seen += chunk
        if not typed and a.wait_for.encode() in seen:
            os.write(master, a.input.encode())
            typed = True
