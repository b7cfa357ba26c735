#!/usr/bin/env bats
# mogu as a Docker runtime: dockerd --add-runtime mogu=..., docker run --runtime mogu. Docker
# drives mogu through containerd's runc shim, with go-runc's command lines.

load lib/docker

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(dockerd_missing); then
        export DKR_SKIP=$why
        return 0
    fi
    start_dockerd
    export DKR_DIR DKR_SOCK
}

teardown_file() {
    [[ -n ${DKR_SKIP:-} ]] || stop_dockerd
}

setup() {
    [[ -z ${DKR_SKIP:-} ]] || skip "$DKR_SKIP"
}

@test "docker run --runtime mogu prints the output and returns the exit code" {
    run docker_ run --rm --runtime mogu --network none $DKR_IMAGE /bin/sh -c 'echo hello from docker; exit 3'
    [ "$status" -eq 3 ]
    [[ $output == *"hello from docker"* ]]
}

@test "docker run -d, exec, top, pause, update, stop, rm with --runtime mogu" {
    docker_ run -d --name d1 --runtime mogu --network none $DKR_IMAGE /bin/sleep 300
    [ "$(docker_ inspect -f '{{.HostConfig.Runtime}} {{.State.Running}}' d1)" = "mogu true" ]
    # containerd's runc shim was told to run the mogu binary, and mogu keeps the state.
    local id
    id=$(docker_ inspect -f '{{.Id}}' d1)
    grep -q "\"binary_name\":\"$MOGU_BIN/mogu\"" "$DKR_DIR/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/$id/options.json"
    [ -d "$DKR_DIR/exec/runtime-runc/moby/$id" ]

    run docker_ exec d1 /bin/sh -c 'echo in exec; exit 5'
    [ "$status" -eq 5 ]
    [[ $output == *"in exec"* ]]

    run docker_ top d1
    [ "$status" -eq 0 ]
    [[ $output == *"sleep 300"* ]]

    docker_ pause d1
    [ "$(docker_ inspect -f '{{.State.Status}}' d1)" = paused ]
    docker_ unpause d1
    [ "$(docker_ inspect -f '{{.State.Status}}' d1)" = running ]

    docker_ update --memory 64m --memory-swap 128m d1
    [ "$(docker_ inspect -f '{{.HostConfig.Memory}}' d1)" = 67108864 ]

    docker_ stop -t 1 d1
    [ "$(docker_ inspect -f '{{.State.Running}}' d1)" = false ]
    docker_ rm d1
    [ -z "$(docker_ ps -aq)" ]
}

@test "docker run -t with --runtime mogu gives the container a terminal" {
    run docker_ run --rm -t --runtime mogu --network none $DKR_IMAGE /bin/sh -c 'tty; exit 2'
    [ "$status" -eq 2 ]
    [[ $output == *"/dev/pts/"* ]]
}

# Docker sends blockIO.weight 0, cpu.shares 0 and disableOOMKiller false in every spec and zeros
# for every field `docker update` leaves alone; none of them is a limit, on any host.
@test "docker run and update with resource flags set the container's limits, and only those" {
    docker_ run -d --name r1 --runtime mogu --network none --cpu-shares 512 --memory 64m --pids-limit 20 \
        $DKR_IMAGE /bin/sleep 300
    local id pids_max memory_max
    id=$(docker_ inspect -f '{{.Id}}' r1)
    pids_max=$(docker_ exec r1 cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || docker_ exec r1 cat /sys/fs/cgroup/pids.max)
    [ "$pids_max" = 20 ]
    docker_ update --pids-limit 30 r1
    pids_max=$(docker_ exec r1 cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || docker_ exec r1 cat /sys/fs/cgroup/pids.max)
    [ "$pids_max" = 30 ]
    # The update named only pids: the memory limit stays.
    memory_max=$(docker_ exec r1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || docker_ exec r1 cat /sys/fs/cgroup/memory.max)
    [ "$memory_max" = 67108864 ]
    docker_ rm -f r1
}
