#!/usr/bin/env bats
# Who can reach the shim: its socket file is 0600 root's (whatever containerd's umask), and the
# ttrpc server itself refuses a peer of another uid, as containerd's own shims do
# (UnixSocketRequireSameUser), so a socket whose mode was loosened still lets nobody in. And no
# value from a container's environment lands in a log: not containerd's (at debug level, which
# carries the shim's log), not the runtime's log.json.

load lib/containerd

RUNTIME=io.containerd.mogu.v2
NOBODY=65534

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    local why
    if why=$(containerd_missing); then
        export SKIP_WHY=$why
        return 0
    fi
    [[ -x $MOGU_BIN/mogu ]] || { export SKIP_WHY="$MOGU_BIN/mogu not built"; return 0; }
    command -v setpriv >/dev/null || { export SKIP_WHY="setpriv (util-linux) is missing"; return 0; }
    export SECRET="mogu-secret-$RANDOM$RANDOM"
    CTD_LOG_LEVEL=debug start_containerd
    export CTD_DIR CTD_SOCK
    ctr_ run -d --runtime $RUNTIME --env "API_TOKEN=$SECRET" $CTD_IMAGE sock1 sleep 600 </dev/null
}

teardown_file() {
    [[ -n ${SKIP_WHY:-} ]] && return 0
    stop_containerd
}

setup() { [[ -z ${SKIP_WHY:-} ]] || skip "$SKIP_WHY"; }

shim_socket() {
    local address
    address=$(cat "$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/sock1/address")
    echo "${address#unix://}"
}

# Connects to the unix socket $2 as uid $1 and says what the server did within 3 s: "closed" (it
# hung up at once), "open" (it kept the connection, waiting for a request), or the error.
probe_as() {
    setpriv --reuid="$1" --regid="$1" --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect: " + e.strerror); sys.exit(0)
s.settimeout(3)
try:
    print("closed" if s.recv(16) == b"" else "data")
except socket.timeout:
    print("open")
' "$2"
}

@test "the shim's socket is root's and 0600; nobody cannot connect to it" {
    local sock
    sock=$(shim_socket)
    [ -S "$sock" ]
    [ "$(stat -c '%a %u' "$sock")" = "600 0" ]
    run probe_as $NOBODY "$sock"
    echo "$output"
    [[ $output == "connect: Permission denied" ]]
    run probe_as 0 "$sock"
    [ "$output" = open ]
}

@test "the shim's ttrpc server hangs up on a peer of another uid even when the socket's mode lets it in" {
    local sock link
    sock=$(shim_socket)
    # /run/containerd is root's alone: nobody reaches the socket through a hard link (the same
    # inode, so the same listener) in a directory of its own on the same filesystem.
    link=$(mktemp -d /run/mogu-sock.XXXXXX)
    chmod 0755 "$link"
    ln "$sock" "$link/shim"
    chmod 0666 "$link/shim"
    run probe_as $NOBODY "$link/shim"
    chmod 0600 "$sock"
    rm -rf "$link"
    echo "$output"
    [ "$output" = closed ]
    # It says so in its log (containerd's, through the shim's log pipe), and keeps serving.
    grep -q "refused a connection from uid $NOBODY" "$CTD_DIR/containerd.log"
    ctr_ task ls | grep -q '^sock1 .*RUNNING'
}

@test "a container's environment lands in no log, at debug level, through create, exec and a failed exec" {
    ctr_ task exec --exec-id e1 sock1 sh -c 'test -n "$API_TOKEN"'
    run ctr_ task exec --exec-id e2 --env "OTHER_TOKEN=$SECRET" sock1 /no/such/binary
    [ "$status" -ne 0 ]
    local logs=("$CTD_DIR/containerd.log")
    local f
    while IFS= read -r f; do logs+=("$f"); done < <(find "$CTD_DIR/state" "$(runtime_root)" -name '*.json' -path '*log*' 2>/dev/null)
    echo "# logs read: ${logs[*]}" >&3
    [ "${#logs[@]}" -ge 2 ]   # containerd's and at least the runtime's log.json
    run grep -l "$SECRET" "${logs[@]}"
    echo "$output"
    [ "$status" -eq 1 ]
}
