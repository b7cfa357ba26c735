#!/usr/bin/env python3
"""A --console-socket peer for tests, like runc's recvtty: listens on a unix socket, receives
the pty master a container sends (SCM_RIGHTS), writes INPUT to it and copies what the
container prints to stdout until the container closes its side.

    recvtty.py SOCKET [--input TEXT] [--size ROWSxCOLS]
"""
import argparse
import os
import socket
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--input", default="")
    args = ap.parse_args()
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    srv.listen(1)
    # Tell the test we are listening.
    print("listening", file=sys.stderr, flush=True)
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 1024, 1)
    if not fds:
        print("recvtty: no fd received", file=sys.stderr)
        return 1
    master = fds[0]
    print(f"received {msg.decode(errors='replace')}", file=sys.stderr, flush=True)
    if args.input:
        os.write(master, args.input.encode())
    out = sys.stdout.buffer
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the last slave fd was closed
            break
        if not data:
            break
        out.write(data)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
