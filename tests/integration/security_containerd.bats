#!/usr/bin/env bats
# Security defaults as containerd applies them, through the mogu shim and runtime: the seccomp
# profile `ctr run --seccomp` generates (Docker's default profile, which the Docker path in
# shim_docker.bats also runs under), and the default capability set.

load lib/containerd

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(containerd_missing); then export SEC_SKIP=$why; return 0; fi
    [[ -x $MOGU_BIN/mogu ]] || { export SEC_SKIP="$MOGU_BIN/mogu not built"; return 0; }
    export CTD_NS=mogu-sec
    start_containerd
    export CTD_DIR CTD_SOCK
}

teardown_file() { [[ -n ${SEC_SKIP:-} ]] || stop_containerd; }
setup() { [[ -z ${SEC_SKIP:-} ]] || skip "$SEC_SKIP"; }

@test "containerd's default seccomp profile loads and a normal shell works under it" {
    run ctr_ run --rm --seccomp --runtime io.containerd.mogu.v2 "$CTD_IMAGE" sec1 \
        sh -c 'echo hello; ls / >/dev/null && mkdir /tmp/d && echo mkdir-ok; grep Seccomp: /proc/self/status; unshare -U true 2>&1 || echo unshare-denied'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = hello ]
    [[ $output == *mkdir-ok* ]]
    [[ $output == *"Seccomp:	2"* ]]
    [[ $output == *unshare-denied* ]]
}

@test "the container gets containerd's default capabilities, not all of root's" {
    run ctr_ run --rm --runtime io.containerd.mogu.v2 "$CTD_IMAGE" sec2 sh -c 'grep CapBnd /proc/self/status; mount -t tmpfs none /mnt 2>&1 || echo mount-denied'
    [ "$status" -eq 0 ]
    # containerd's default set has no CAP_SYS_ADMIN (bit 21).
    bnd=$(awk '/CapBnd/ {print $2}' <<<"$output")
    (( (16#$bnd & (1 << 21)) == 0 ))
    [[ $output == *mount-denied* ]]
}
