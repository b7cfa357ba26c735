#!/usr/bin/env python3
"""Stands in for a shim: becomes a child subreaper, runs a runtime command that leaves a
process behind and writes its pid to a file (create, exec --detach), then waits for that
process and writes how it ended ("exit N", or "signal N") to a status file.

    kvm_reaper.py PIDFILE STATUSFILE -- COMMAND...
"""
import ctypes, os, sys, time

PR_SET_CHILD_SUBREAPER = 36
pid_file, status_file = sys.argv[1], sys.argv[2]
assert sys.argv[3] == "--"
cmd = sys.argv[4:]
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")

def write_status(text):
    with open(status_file + ".tmp", "w") as f:
        f.write(text + "\n")
    os.rename(status_file + ".tmp", status_file)

runtime = os.spawnvp(os.P_NOWAIT, cmd[0], cmd)
target = None
ended = {}  # exits of other processes, in case the target ends before the command does
while True:
    pid, status = os.wait()
    ended[pid] = status
    if pid == runtime:
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            write_status(f"command failed {code}")
            sys.exit(0)
        with open(pid_file) as f:
            target = int(f.read().strip())
    if target is not None and target in ended:
        code = os.waitstatus_to_exitcode(ended[target])
        write_status(f"exit {code}" if code >= 0 else f"signal {-code}")
        sys.exit(0)
