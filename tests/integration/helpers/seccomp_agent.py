#!/usr/bin/env python3
"""A seccomp listener for tests: accepts one connection on a unix socket, receives the notify
fd and the container process state (runtime-spec containerProcessState), writes the state to
OUT, then closes the fd: from then on the notified syscalls fail with ENOSYS.

    seccomp_agent.py SOCKET OUT
"""
import json
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    print("listening", file=sys.stderr, flush=True)
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 65536, 1)
    state = json.loads(msg)
    state["received_fds"] = len(fds)
    with open(out, "w") as f:
        json.dump(state, f)
    for fd in fds:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
