#!/usr/bin/env bats
# Kubernetes through containerd's CRI plugin, handler mogu: what a kubelet asks (RunPodSandbox,
# CreateContainer, ExecSync, ...) through mogu-cri, against a private containerd 1.6 with real CNI
# (bridge, host-local, portmap). One containerd serves the file; every test runs its own pods.

load lib/cri
load lib/lxcfs
bats_require_minimum_version 1.5.0

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(cri_missing); then
        export CRI_SKIP=$why
        return 0
    fi
    start_cri
}

teardown_file() {
    [[ -n ${CRI_SKIP:-} ]] && return 0
    stop_cri
    remove_pod_cgroups
}

setup() {
    [[ -z ${CRI_SKIP:-} ]] || skip "$CRI_SKIP"
}

# A test that fails midway leaves its pods to the next one: remove them (containers go with them).
teardown() {
    [[ -z ${CRI_SKIP:-} ]] || return 0
    [[ ! -e $CRI_DIR/net.d/05-exhausted.conflist ]] || use_good_range
    local p
    for p in $(cri_ pods | jq -r '.items[].id'); do
        cri_ stopp "$p" >/dev/null || true
        cri_ rmp "$p" >/dev/null || true
    done
    # After the pods: their containers had LXCFS's files bound.
    [[ -z ${LXCFS_DIR:-} ]] || stop_lxcfs "$LXCFS_DIR"
}

# Where containerd keeps things per pod, and what must be gone once the pod is removed.
assert_pod_gone() {
    local pod=$1 ip=$2 netns=$3 cg=$4; shift 4
    local id
    run cri_ pods --id "$pod"
    [[ $(jq '.items | length' <<<"$output") == 0 ]] || { echo "pod $pod still listed"; return 1; }
    [[ ! -e $netns ]] || { echo "netns $netns left"; return 1; }
    [[ ! -e $CRI_DIR/ipam/mogu-cri/$ip ]] || { echo "IP lease $ip left"; return 1; }
    [[ -z $(ip -o link show master $CRI_BRIDGE 2>/dev/null) ]] || { echo "veths left: $(ip -o link show master $CRI_BRIDGE)"; return 1; }
    for id in "$pod" "$@"; do
        if grep -q "$id" /proc/self/mounts; then echo "mounts of $id left: $(grep "$id" /proc/self/mounts)"; return 1; fi
        [[ ! -e $(handler_root)/$id ]] || { echo "runtime state of $id left"; return 1; }
        [[ ! -e $CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$id ]] || { echo "bundle of $id left"; return 1; }
        if grep -lsF -- "$id" /proc/[0-9]*/cmdline >/dev/null; then echo "a process naming $id is left (shim?)"; return 1; fi
    done
    if iptables -t nat -S | grep -q -- "-j DNAT --to-destination $ip:"; then echo "portmap rule for $ip left"; return 1; fi
    # The kubelet's last step: the pod's cgroup, which must hold no container's any more.
    remove_pod_cgroup "$cg"
}

# The shims of this containerd (started with -address its socket), one line each: "PID ID", ID
# the container its -id names (the first one the shim served).
cri_shims() {
    local f p
    for f in $(grep -lsF -- "$CRI_DIR/containerd.sock" /proc/[0-9]*/cmdline); do
        p=${f#/proc/}; p=${p%/cmdline}
        [[ $(readlink "/proc/$p/exe" 2>/dev/null) == */containerd-shim-* ]] || continue
        echo "$p $(tr '\0' '\n' <"$f" 2>/dev/null | grep -A1 -x -- -id | tail -1)"
    done
}

# A process's parent.
ppid_of() { awk '{print $4}' "/proc/$1/stat"; }

@test "Version and Status: containerd's CRI answers, runtime and network ready" {
    run cri_ version
    [ "$status" -eq 0 ]
    [[ $(jq -r .runtime_name <<<"$output") == containerd ]]
    [[ $(jq -r .runtime_api_version <<<"$output") == v1 ]]
    run cri_ info
    [ "$status" -eq 0 ]
    [[ $(jq -c '[.status.conditions[] | select(.status) | .type] | sort' <<<"$output") == '["NetworkReady","RuntimeReady"]' ]]
    # Our handlers and the sandbox image are what containerd runs with.
    config=$(jq -r .info.config <<<"$output")
    [[ $(jq -r '.containerd.runtimes.mogu.runtimeType' <<<"$config") == io.containerd.mogu.v2 ]]
    [[ $(jq -r '.containerd.runtimes["mogu-vm"].runtimeType' <<<"$config") == io.containerd.mogu-vm.v2 ]]
    [[ $(jq -r .restrictOOMScoreAdj <<<"$config") == true ]]
    run cri_ images
    [[ $output == *docker.io/mogu/pause:3.9* && $output == *$CRI_BUSYBOX* ]]
}

@test "RunPodSandbox with handler mogu: pod IP, cgroup parent, served by our shim" {
    run_pod web '.port_mappings = [{protocol: "TCP", container_port: 80, host_port: 18081}]'
    run cri_ inspectp "$POD"
    [ "$status" -eq 0 ]
    [[ $(jq -r .status.state <<<"$output") == SANDBOX_READY ]]
    [[ $(jq -r .status.runtime_handler <<<"$output") == "${CRI_TEST_HANDLER:-mogu}" ]]
    ip=$(jq -r .status.network.ip <<<"$output")
    [[ $ip == "10.233.$CRI_NET."* ]]
    info=$(jq -r .info.info <<<"$output")
    pid=$(jq -r .pid <<<"$info")
    # The kubelet's cgroupfs layout: kubepods/burstable/pod<uid>/<sandbox id>.
    grep -q ":memory:$(pod_cgroup)/$POD\$" /proc/$pid/cgroup
    [[ $(tr '\0' ' ' </proc/$pid/cmdline) == "/pause " ]]
    # The sandbox's task is served by containerd-shim-mogu-v2, which ran mogu.
    [[ $(jq -r .runtimeType <<<"$info") == "io.containerd.${CRI_TEST_HANDLER:-mogu}.v2" ]]
    [[ -d $(handler_root)/$POD ]]
    # restrict_oom_score_adj: pause keeps containerd's own score instead of the kubelet's -998.
    [[ $(cat /proc/$pid/oom_score_adj) == "$(cat /proc/self/oom_score_adj)" ]]
    # The IP the status gives is the one on the container's eth0, and the host reaches the
    # container's httpd at it.
    id=$(run_ctr www 'mkdir -p /www && echo "served at $(hostname)" >/www/index.html && exec httpd -f -p 80 -h /www')
    run cri_ exec "$id" ip -4 -o addr show dev eth0
    [ "$status" -eq 0 ]
    [[ $(awk '{print $4}' <<<"$output") == "$ip/24" ]]
    for _ in $(seq 50); do wget -qO- "http://$ip/" >/dev/null 2>&1 && break; sleep 0.1; done
    run wget -qO- "http://$ip/"
    [ "$output" = "served at web" ]
}

@test "a container gets command, env, mounts, working dir, hostname, DNS and sysctls; ExecSync" {
    mkdir -p "$BATS_TEST_TMPDIR/vol" && echo from-host >"$BATS_TEST_TMPDIR/vol/file"
    # Sysctls of the pod's network and IPC namespaces, each set to a value the host does not have.
    host_port_start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    host_rmid=$(cat /proc/sys/kernel/shm_rmid_forced)
    port_start=80 rmid=$((1 - host_rmid))
    [[ $host_port_start != 80 ]] || port_start=81
    export SYSCTLS="{\"net.ipv4.ip_unprivileged_port_start\": \"$port_start\", \"kernel.shm_rmid_forced\": \"$rmid\"}"
    run_pod app '.dns_config = {servers: ["10.96.0.10"], searches: ["mogu-test.svc.cluster.local"], options: ["ndots:5"]}
                 | .linux.sysctls = (env.SYSCTLS | fromjson)'
    export VOL=$BATS_TEST_TMPDIR/vol
    id=$(run_ctr main 'echo started; exec sleep 300' \
         '.envs = [{key: "GREETING", value: "hello mogu"}] | .working_dir = "/srv"
          | .mounts = [{container_path: "/data", host_path: env.VOL, readonly: true}]') || true
    [[ -n $id ]]
    run cri_ exec "$id" sh -c 'echo "$GREETING"; pwd; cat /data/file; hostname; cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shm_rmid_forced'
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'hello mogu\n/srv\nfrom-host\napp\n%s\n%s' "$port_start" "$rmid")" ]
    # The host's own values are untouched.
    [[ $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start) == "$host_port_start" ]]
    [[ $(cat /proc/sys/kernel/shm_rmid_forced) == "$host_rmid" ]]
    run cri_ exec "$id" cat /etc/resolv.conf
    [[ $output == *"nameserver 10.96.0.10"* && $output == *"search mogu-test.svc.cluster.local"* && $output == *"options ndots:5"* ]]
    # Read-only mount, and the exit code of an ExecSync comes back.
    run cri_ exec "$id" sh -c 'touch /data/x 2>/dev/null || exit 4'
    [ "$status" -eq 4 ]
    # ExecSync's timeout: DeadlineExceeded, and the command does not stay behind.
    run cri_ exec --timeout 1 "$id" sleep 29
    [ "$status" -eq 1 ]
    [[ $output == *'ExecSync: DEADLINE_EXCEEDED'*'timeout 1s exceeded'* ]]
    run cri_ exec "$id" ps -o args
    [[ $output != *"sleep 29"* ]]
    # The container's stdout goes to the log under the pod's log directory, in CRI's format.
    grep -q ' stdout F started$' "$BATS_TEST_TMPDIR/logs-app/main.log"
    run cri_ inspect "$id"
    [[ $(jq -r .status.state <<<"$output") == CONTAINER_RUNNING ]]
}

@test "CPU and memory limits as the kubelet maps them land in the container's cgroup" {
    run_pod limits
    # A container with requests.cpu 250m, limits.cpu 500m, limits.memory 64Mi: the kubelet sends
    # shares 256, quota 50000 per period 100000, and the limit in bytes.
    id=$(run_ctr lim 'exec sleep 300' '.linux.resources = {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 256,
                                        memory_limit_in_bytes: 67108864, oom_score_adj: 1000}')
    cg=$(pod_cgroup)/$id
    [[ $(cat /sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us) == 50000 ]]
    [[ $(cat /sys/fs/cgroup/cpu$cg/cpu.cfs_period_us) == 100000 ]]
    [[ $(cat /sys/fs/cgroup/cpu$cg/cpu.shares) == 256 ]]
    [[ $(cat /sys/fs/cgroup/memory$cg/memory.limit_in_bytes) == 67108864 ]]
    run cri_ exec "$id" cat /proc/self/oom_score_adj
    [ "$output" = 1000 ]
    run cri_ inspect "$id"
    [[ $(jq -r .status.resources.linux.memory_limit_in_bytes <<<"$output") == 67108864 ]]
}

@test "ContainerStats reports the container's CPU and memory" {
    run_pod stats
    id=$(run_ctr busy 'while :; do :; done')
    sleep 0.5
    run cri_ stats "$id"
    [ "$status" -eq 0 ]
    [[ $(jq -r .stats.attributes.id <<<"$output") == "$id" ]]
    (( $(jq -r .stats.cpu.usage_core_nano_seconds.value <<<"$output") > 10000000 ))
    (( $(jq -r .stats.memory.working_set_bytes.value <<<"$output") > 0 ))
    run cri_ stats --pod "$POD"
    [[ $(jq -r '.stats | length' <<<"$output") == 1 ]]
}

@test "two containers of a pod share its network and IPC namespaces and /dev/shm" {
    run_pod pair
    a=$(run_ctr server 'mkdir -p /www && echo from-server >/www/index.html && exec httpd -f -p 8080 -h /www')
    b=$(run_ctr client 'exec sleep 300')
    # One shim serves the pod: the only one of this containerd, started for the sandbox, the
    # parent of pause and of both containers' inits.
    shims=$(cri_shims)
    [[ $(wc -l <<<"$shims") == 1 ]]
    [[ ${shims#* } == "$POD" ]]
    for pid in $(pod_pid "$POD") $(ctr_pid "$a") $(ctr_pid "$b"); do
        [[ $(ppid_of "$pid") == "${shims%% *}" ]]
    done
    for _ in $(seq 20); do cri_ exec "$b" wget -qO- http://127.0.0.1:8080/ >/dev/null 2>&1 && break; sleep 0.1; done
    run cri_ exec "$b" wget -qO- http://127.0.0.1:8080/
    [ "$output" = from-server ]
    [[ $(cri_ exec "$a" readlink /proc/self/ns/net) == "$(cri_ exec "$b" readlink /proc/self/ns/net)" ]]
    [[ $(cri_ exec "$a" readlink /proc/self/ns/ipc) == "$(cri_ exec "$b" readlink /proc/self/ns/ipc)" ]]
    [[ $(cri_ exec "$a" readlink /proc/self/ns/ipc) != "$(readlink /proc/self/ns/ipc)" ]]
    cri_ exec "$a" sh -c 'echo shared >/dev/shm/note'
    [[ $(cri_ exec "$b" cat /dev/shm/note) == shared ]]
    # pid CONTAINER, as the kubelet asks for v1 pods: each has its own PID 1.
    [[ $(cri_ exec "$a" readlink /proc/self/ns/pid) != "$(cri_ exec "$b" readlink /proc/self/ns/pid)" ]]
}

@test "a pod sharing its PID namespace: pause is PID 1 and reaps the orphans; it stops on SIGTERM" {
    run_pod pidns '.linux.security_context.namespace_options.pid = "POD"'
    id=$(run_ctr c 'exec sleep 300' '.linux.security_context.namespace_options.pid = "POD"')
    [[ $(cri_ exec "$id" cat /proc/1/cmdline) == /pause ]]
    # The exec'd shell exits at once; its sleep is reparented to pause, which must reap it.
    cri_ exec "$id" sh -c 'sleep 0.2 & exit 0'
    sleep 0.6
    run cri_ exec "$id" ps -o pid,stat,args
    [[ $output != *" Z "* && $output != *"sleep 0.2"* ]]
    # The pause binary by itself: SIGTERM and SIGINT end it with status 0.
    local sig
    for sig in TERM INT; do
        "$MOGU_SRC/${BUILD:-build}/tests/tools/mogu-pause" &
        pid=$!
        sleep 0.1
        kill -$sig $pid
        wait $pid
    done
}

@test "a pod's port mapping reaches its container from the host" {
    run_pod ports '.port_mappings = [{protocol: "TCP", container_port: 80, host_port: '"$CRI_HOST_PORT"'}]'
    run_ctr www 'mkdir -p /www && echo through-portmap >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
    for _ in $(seq 20); do wget -qO- http://$CRI_GATEWAY:$CRI_HOST_PORT/ >/dev/null 2>&1 && break; sleep 0.1; done
    run wget -qO- http://$CRI_GATEWAY:$CRI_HOST_PORT/
    [ "$output" = through-portmap ]
}

@test "ContainerStatus: exit code and reason of a finished container, OOMKilled for a memory hog" {
    run_pod exits
    ok=$(run_ctr ok 'exit 0')
    bad=$(run_ctr bad 'exit 3')
    # tail buffers a line that never ends: it grows until the 16 MiB limit kills it.
    hog=$(run_ctr hog 'exec tail /dev/zero' '.linux.resources = {memory_limit_in_bytes: 16777216}')
    wait_ctr_exited "$ok"; wait_ctr_exited "$bad"; wait_ctr_exited "$hog"
    run cri_ inspect "$ok"
    [[ $(jq -r '[.status.exit_code, .status.reason] | @tsv' <<<"$output") == $'0\tCompleted' ]]
    run cri_ inspect "$bad"
    [[ $(jq -r '[.status.exit_code, .status.reason] | @tsv' <<<"$output") == $'3\tError' ]]
    run cri_ inspect "$hog"
    [[ $(jq -r '[.status.exit_code, .status.reason] | @tsv' <<<"$output") == $'137\tOOMKilled' ]]
    (( $(jq -r .status.finished_at <<<"$output") > $(jq -r .status.started_at <<<"$output") ))
}

@test "StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox leave nothing behind" {
    run_pod gone '.port_mappings = [{protocol: "TCP", container_port: 80, host_port: 18083}]'
    info=$(cri_ inspectp "$POD")
    ip=$(jq -r .status.network.ip <<<"$info")
    netns=$(jq -r '.info.info' <<<"$info" | jq -r '.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
    [[ -e $netns && -e $CRI_DIR/ipam/mogu-cri/$ip ]]
    a=$(run_ctr a 'exec sleep 300')
    b=$(run_ctr b 'trap "exit 0" TERM; sleep 300 & wait')
    cri_ stop --timeout 5 "$b" >/dev/null
    run cri_ inspect "$b"
    [[ $(jq -r '[.status.state, .status.exit_code] | @tsv' <<<"$output") == $'CONTAINER_EXITED\t0' ]]
    cri_ rm "$b" >/dev/null
    run cri_ inspect "$b"
    [ "$status" -ne 0 ]
    [[ $output == *NOT_FOUND* ]]
    [[ $(cri_ pods --state ready | jq -r '.items[].id') == "$POD" ]]
    cri_ stopp "$POD" >/dev/null
    [[ $(cri_ inspectp "$POD" | jq -r .status.state) == SANDBOX_NOTREADY ]]
    [[ $(cri_ pods --state notready | jq -r '.items[].id') == "$POD" ]]
    [[ $(ctr_state "$a") == CONTAINER_EXITED ]]
    cri_ rmp "$POD" >/dev/null
    assert_pod_gone "$POD" "$ip" "$netns" "$(pod_cgroup)" "$a" "$b"
}

@test "a host-network pod: no hostname of its own, no pod IP, the host's interfaces" {
    run_pod hostnet 'del(.hostname) | .linux.security_context.namespace_options.network = "NODE"'
    run cri_ inspectp "$POD"
    [[ $(jq -r .status.network.ip <<<"$output") == "" ]]
    id=$(run_ctr sh 'exec sleep 300' '.linux.security_context.namespace_options.network = "NODE"')
    [[ $(cri_ exec "$id" hostname) == "$(hostname)" ]]
    [[ $(cri_ exec "$id" readlink /proc/self/ns/net) == "$(readlink /proc/self/ns/net)" ]]
}

@test "bad input: unknown runtime handler, missing image, unknown ids" {
    run cri_ runp --runtime no-such-handler "$(pod_json badh)"
    [ "$status" -eq 1 ]
    [[ $output == *'RunPodSandbox:'*'no runtime for "no-such-handler" is configured'* ]]
    [[ $(cri_ pods | jq '.items | length') == 0 ]]

    run_pod noimg
    run cri_ create "$POD" "$(ctr_json noimg true '.image.image = "docker.io/mogu/no-such-image:1"')" "$POD_CFG"
    [ "$status" -eq 1 ]
    [[ $output == *'CreateContainer:'*'docker.io/mogu/no-such-image:1'*'not found'* ]]
    [[ $(cri_ ps --pod "$POD" | jq '.containers | length') == 0 ]]

    run cri_ inspect no-such-container
    [ "$status" -eq 1 ]
    [[ $output == *NOT_FOUND* ]]
    run cri_ inspectp no-such-pod
    [ "$status" -eq 1 ]
    [[ $output == *NOT_FOUND* ]]
}

@test "StopPodSandbox twice succeeds, and so does a second RemovePodSandbox" {
    run_pod twice
    id=$(run_ctr c 'exec sleep 300')
    cri_ stopp "$POD" >/dev/null
    run cri_ stopp "$POD"
    [ "$status" -eq 0 ]
    [[ $(ctr_state "$id") == CONTAINER_EXITED ]]
    # Removing the stopped pod removes its container too.
    cri_ rmp "$POD" >/dev/null
    run cri_ inspect "$id"
    [[ $output == *NOT_FOUND* ]]
    run cri_ rmp "$POD"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "RemovePodSandbox of a running pod with running containers stops and removes them all" {
    run_pod running
    ip=$(cri_ inspectp "$POD" | jq -r .status.network.ip)
    netns=$(cri_ inspectp "$POD" | jq -r '.info.info' | jq -r '.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
    a=$(run_ctr a 'exec sleep 300')
    b=$(run_ctr b 'exec sleep 300')
    run cri_ rmp "$POD"
    [ "$status" -eq 0 ]
    run cri_ ps --pod "$POD"
    [[ $(jq '.containers | length' <<<"$output") == 0 ]]
    assert_pod_gone "$POD" "$ip" "$netns" "$(pod_cgroup)" "$a" "$b"
}

# The QEMU processes serving a pod: their command line names the sandbox's state directory.
pod_qemus() { pgrep -f "qemu-system.*/$1/console.log" | wc -l; }

@test "handler mogu-vm: a pod is one VM; its containers share the VM's kernel, network, localhost, /dev/shm and hostname" {
    [[ -x $MOGU_BIN/containerd-shim-mogu-vm-v2 ]] || skip "$MOGU_BIN/containerd-shim-mogu-vm-v2 not built"
    [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import websocket' 2>/dev/null ||
        skip "python3-websocket not installed (make deps)"
    stream=$MOGU_SRC/tests/cri/stream/k8s-stream
    local port=$((CRI_HOST_PORT + 1))
    run_pod vmpod '.port_mappings = [{protocol: "TCP", container_port: 80, host_port: '"$port"'}]' mogu-vm
    ip=$(cri_ inspectp "$POD" | jq -r .status.network.ip)
    netns=$(cri_ inspectp "$POD" | jq -r '.info.info' | jq -r '.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
    [[ $ip == 10.233.$CRI_NET.* ]]
    [ "$(pod_qemus "$POD")" -eq 1 ]
    mkdir -p "$BATS_TEST_TMPDIR/data" && echo from-host >"$BATS_TEST_TMPDIR/data/file"
    web=$(run_ctr web 'echo started; echo shm-web >/dev/shm/x; mkdir -p /www && echo "from $(uname -r)" >/www/index.html && exec httpd -f -p 80 -h /www')
    app=$(run_ctr app 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; exec sleep 300' \
        '.mounts = [{container_path: "/data", host_path: "'"$BATS_TEST_TMPDIR/data"'", readonly: true}] | .linux.resources = {memory_limit_in_bytes: 67108864}')
    # Both joined the sandbox's VM: still one QEMU, and their kernel is the guest's.
    [ "$(pod_qemus "$POD")" -eq 1 ]
    # One shim serves the pod: the only one of this containerd, started for the sandbox.
    shims=$(cri_shims)
    [[ $(wc -l <<<"$shims") == 1 ]]
    [[ ${shims#* } == "$POD" ]]
    # QEMU runs in the sandbox's host cgroup, below the kubelet's pod<uid>: the VM's cost is the pod's.
    qemu=$(pgrep -f "qemu-system.*/$POD/console.log")
    grep -q ":memory:$(pod_cgroup)/$POD\$" "/proc/$qemu/cgroup"
    grep -qE ":(cpu|cpu,cpuacct):$(pod_cgroup)/$POD\$" "/proc/$qemu/cgroup"
    run cri_ exec "$app" uname -r
    [ "$status" -eq 0 ]
    guest_kernel=$output
    [[ -n $guest_kernel && $guest_kernel != "$(uname -r)" ]]
    # /dev/shm and localhost are the pod's, the hostname the pod's; a read-only host directory reaches the VM read-only.
    for _ in $(seq 50); do cri_ exec "$app" wget -qO- http://127.0.0.1/ >/dev/null 2>&1 && break; sleep 0.1; done
    run cri_ exec "$app" sh -c 'cat /dev/shm/x; wget -qO- http://127.0.0.1/; hostname; cat /data/file; touch /data/new 2>/dev/null || exit 4'
    [ "$status" -eq 4 ]
    [ "$output" = "$(printf 'shm-web\nfrom %s\nvmpod\nfrom-host' "$guest_kernel")" ]
    # The pod's IP, from the host, and its port mapping, reach the web container in the guest.
    run wget -qO- "http://$ip/"
    [ "$output" = "from $guest_kernel" ]
    run wget -qO- "http://$CRI_GATEWAY:$port/"
    [ "$output" = "from $guest_kernel" ]
    grep -q ' stdout F started$' "$BATS_TEST_TMPDIR/logs-vmpod/web.log"
    # Stats are the container's cgroup in the guest (its CPU, its memory limit), not its keeper's on the host.
    run cri_ stats "$app"
    [[ $(jq -r .stats.attributes.id <<<"$output") == "$app" ]]
    (( $(jq -r .stats.cpu.usage_core_nano_seconds.value <<<"$output") > 20000000 ))
    (( $(jq -r .stats.memory.working_set_bytes.value <<<"$output") > 0 ))
    run "$MOGU_BIN/mogu-vm" --root "$(handler_root)" events --stats "$app"
    [[ $(jq -r .data.memory.usage.limit <<<"$output") == 67108864 ]]
    run cri_ stats --pod "$POD"
    [[ $(jq -r '.stats | length' <<<"$output") == 2 ]]
    # UpdateContainerResources reaches the container's cgroup in the guest.
    cri_ update --memory 100663296 "$app" >/dev/null
    run "$MOGU_BIN/mogu-vm" --root "$(handler_root)" events --stats "$app"
    [[ $(jq -r .data.memory.usage.limit <<<"$output") == 100663296 ]]
    # Exec through containerd's streaming server: stdout and stderr apart, the exit code, stdin in.
    url=$(cri_ exec-url "$app" sh -c 'echo to-out; echo to-err >&2; exit 3')
    run --separate-stderr "$stream" "$url"
    [ "$status" -eq 3 ]
    [ "$output" = to-out ]
    [ "$stderr" = to-err ]
    url=$(cri_ exec-url -i "$app" sh -c 'read line; echo "got $line from $(uname -r)"')
    run "$stream" "$url" --stdin $'hello\n'
    [ "$output" = "got hello from $guest_kernel" ]
    # Attach to a container of the pod with stdin and a terminal: the shell answers, its exit ends it.
    f=$(ctr_json tty 'exec sh' '.stdin = true | .tty = true')
    tty=$(cri_ create "$POD" "$f" "$POD_CFG")
    cri_ start "$tty" >/dev/null
    url=$(cri_ attach-url -i -t "$tty")
    run timeout 30 "$stream" "$url" --stdin $'echo attached-$((6*7)) $(uname -r)\nexit 5\n'
    [[ $output == *"attached-42 $guest_kernel"* ]]
    wait_ctr_exited "$tty"
    [[ $(cri_ inspect "$tty" | jq -r .status.exit_code) == 5 ]]
    cri_ rm "$tty" >/dev/null
    # One container stopped (httpd takes SIGTERM) and removed: its binds leave the pod's share,
    # the other runs on.
    run cri_ stop --timeout 5 "$web"
    [ "$status" -eq 0 ]
    [[ $(ctr_state "$web") == CONTAINER_EXITED ]]
    run cri_ rm "$web"
    [ "$status" -eq 0 ]
    ! grep -q "$web" /proc/self/mounts || false
    run cri_ exec "$app" cat /dev/shm/x
    [ "$output" = shm-web ]
    # A container the kubelet restarts joins the same VM and namespaces; this one with a security
    # context: its user and group, its capabilities (drop ALL, add NET_ADMIN and NET_BIND_SERVICE:
    # bounding set 0x1400, none effective for a non-root user), RuntimeDefault seccomp, which
    # refuses a user namespace that app (no profile) may make; a PID namespace of its own.
    again=$(run_ctr web 'exec sleep 300' '.metadata.attempt = 1 | .linux.security_context += {run_as_user: {value: 1234},
        run_as_group: {value: 5678}, capabilities: {drop_capabilities: ["ALL"], add_capabilities: ["NET_ADMIN", "NET_BIND_SERVICE"]},
        seccomp: {profile_type: "RuntimeDefault"}}')
    run cri_ exec "$again" sh -c 'uname -r; hostname; cat /dev/shm/x'
    [ "$output" = "$(printf '%s\nvmpod\nshm-web' "$guest_kernel")" ]
    [ "$(pod_qemus "$POD")" -eq 1 ]
    run cri_ exec "$again" awk '/^(Uid|Gid|CapEff|CapBnd|Seccomp):/ {print $1, $2}' /proc/self/status
    [ "$output" = "$(printf 'Uid: 1234\nGid: 5678\nCapEff: 0000000000000000\nCapBnd: 0000000000001400\nSeccomp: 2')" ]
    run cri_ exec "$again" unshare -U true
    [ "$status" -ne 0 ]
    [[ $output == *"Operation not permitted"* ]]
    cri_ exec "$app" unshare -U true
    [[ $(cri_ exec "$again" readlink /proc/self/ns/pid) != "$(cri_ exec "$app" readlink /proc/self/ns/pid)" ]]
    # A container whose command cannot run: StartError with the runtime's reason, as with runc,
    # and nothing of it left in the pod's share.
    f=$(ctr_json nobin 'exit 0' '.command = ["/no/such/binary"]')
    nobin=$(cri_ create "$POD" "$f" "$POD_CFG")
    run cri_ start "$nobin"
    [ "$status" -ne 0 ]
    run cri_ inspect "$nobin"
    [[ $(jq -r '[.status.state, .status.exit_code, .status.reason] | @tsv' <<<"$output") == $'CONTAINER_EXITED\t128\tStartError' ]]
    [[ $(jq -r .status.message <<<"$output") == *'exec: "/no/such/binary": No such file or directory'* ]]
    [[ ! -e $(handler_root)/$POD/pod/$nobin ]]
    cri_ rm "$nobin" >/dev/null
    # The pod goes with its VM and leaves nothing: no QEMU, no bind, no tap, no state.
    run cri_ stopp "$POD"
    [ "$status" -eq 0 ]
    [[ $(ctr_state "$app") == CONTAINER_EXITED ]]
    [ "$(pod_qemus "$POD")" -eq 0 ]
    run cri_ rmp "$POD"
    [ "$status" -eq 0 ]
    assert_pod_gone "$POD" "$ip" "$netns" "$(pod_cgroup)" "$web" "$app" "$again" "$tty" "$nobin"
}

@test "handler mogu-vm: a host-network pod has no network device, a shared PID namespace; a guest OOM kill is OOMKilled; a killed shim's pod and a pod whose VM cannot boot leave nothing" {
    [[ -x $MOGU_BIN/containerd-shim-mogu-vm-v2 ]] || skip "$MOGU_BIN/containerd-shim-mogu-vm-v2 not built"
    # Host network: the node's namespace cannot cross into a VM; the pod runs, with loopback only.
    # The pod shares its PID namespace: the container sees the pod's pause as PID 1.
    local ns='.linux.security_context.namespace_options += {network: "NODE", pid: "POD"}'
    run_pod vmhost "$ns | del(.hostname)" mogu-vm
    id=$(run_ctr c 'exec sleep 300' "$ns")
    run cri_ exec "$id" sh -c 'ls /sys/class/net'
    [ "$output" = lo ]
    [[ $(cri_ exec "$id" cat /proc/1/comm) == pause ]]
    # The OOM killer in the guest: the CRI says OOMKilled, as for a host container.
    hog=$(run_ctr hog 'exec tail /dev/zero' "$ns | .linux.resources = {memory_limit_in_bytes: 16777216}")
    wait_ctr_exited "$hog"
    run cri_ inspect "$hog"
    [[ $(jq -r '[.status.exit_code, .status.reason] | @tsv' <<<"$output") == $'137\tOOMKilled' ]]
    # The pod's shim killed: the CRI reports the pod NOTREADY and its container EXITED;
    # containerd's dead-shim cleanup (mogu-vm delete --force) takes the VM, and the pod is
    # removed leaving no QEMU, state, bind or process.
    shim=$(cat "$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$POD/shim.pid")
    kill -9 "$shim"
    for _ in $(seq 300); do
        [[ $(cri_ inspectp "$POD" | jq -r .status.state) == SANDBOX_NOTREADY && $(ctr_state "$id") == CONTAINER_EXITED &&
           $(pod_qemus "$POD") == 0 && ! -e $(handler_root)/$POD ]] && break
        sleep 0.1
    done
    [[ $(cri_ inspectp "$POD" | jq -r .status.state) == SANDBOX_NOTREADY ]]
    [[ $(ctr_state "$id") == CONTAINER_EXITED ]]
    [ "$(pod_qemus "$POD")" -eq 0 ]
    cri_ stopp "$POD" >/dev/null
    cri_ rmp "$POD" >/dev/null
    for c in "$POD" "$id" "$hog"; do
        [[ ! -e $(handler_root)/$c ]]
        ! grep -q "$c" /proc/self/mounts || false
        [[ -z $(grep -lsF -- "$c" /proc/[0-9]*/cmdline) ]]
    done
    # A VM that cannot boot (a kernel that does not exist, through the pod's annotations as the
    # runtime's pod_annotations pass them): RunPodSandbox fails naming it, nothing is left.
    run cri_ runp --runtime mogu-vm "$(pod_json vmbad '.annotations = {"io.mogu.vm.kernel": "/no/such/vmlinuz"}')"
    [ "$status" -eq 1 ]
    [[ $output == *'RunPodSandbox:'*'/no/such/vmlinuz'* ]]
    [[ $(cri_ pods | jq '.items | length') == 0 ]]
    [[ -z $(ls "$CRI_DIR/ipam/mogu-cri" | grep -v -e '^last_reserved_ip' -e '^lock$') ]]
    [[ -z $(ip -o link show master $CRI_BRIDGE 2>/dev/null) ]]
    [[ -z $(grep -lsF -- "$CRI_DIR/containerd.sock" /proc/[0-9]*/cmdline) ]]
    ! grep -q "$CRI_DIR/state/io.containerd.grpc.v1.cri/sandboxes" /proc/self/mounts || false
}

# The file of CONTROLLER's cgroup CG: FILE_V1 in its own v1 hierarchy, else FILE_V2 in the unified
# one (a hybrid host has both; a controller may live in either). Nothing when neither has it.
cgroup_file() {
    local controller=$1 cg=$2 v1=$3 v2=$4
    if [[ -e /sys/fs/cgroup/$controller$cg/$v1 ]]; then echo "/sys/fs/cgroup/$controller$cg/$v1"
    elif [[ -e /sys/fs/cgroup/unified$cg/$v2 ]]; then echo "/sys/fs/cgroup/unified$cg/$v2"
    elif [[ -e /sys/fs/cgroup$cg/$v2 ]]; then echo "/sys/fs/cgroup$cg/$v2"
    fi
}

# The host pid of a container or pod, as containerd's verbose status tells it.
ctr_pid() { cri_ inspect "$1" | jq -r .info.info | jq -r .pid; }
pod_pid() { cri_ inspectp "$1" | jq -r .info.info | jq -r .pid; }

@test "UpdateContainerResources: new CPU and memory limits land in the running container's cgroup" {
    run_pod update
    id=$(run_ctr u 'exec sleep 300' '.linux.resources = {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 256,
                                        memory_limit_in_bytes: 67108864}')
    cg=$(pod_cgroup)/$id
    quota=$(cgroup_file cpu "$cg" cpu.cfs_quota_us cpu.max)
    shares=$(cgroup_file cpu "$cg" cpu.shares cpu.weight)
    mem=$(cgroup_file memory "$cg" memory.limit_in_bytes memory.max)
    [[ -n $quota || -n $mem ]] || skip "neither a cpu nor a memory controller for $cg on this host"
    cri_ update --cpu-period 100000 --cpu-quota 20000 --cpu-share 512 --memory 100663296 "$id" >/dev/null
    if [[ -n $quota ]]; then
        case $quota in
            *cpu.max) [[ $(cat "$quota") == "20000 100000" ]] ;;
            *) [[ $(cat "$quota") == 20000 ]] ;;
        esac
    fi
    if [[ $shares == *cpu.shares ]]; then [[ $(cat "$shares") == 512 ]]; fi
    if [[ -n $mem ]]; then [[ $(cat "$mem") == 100663296 ]]; fi
    # The container runs on, in the same cgroup, and its status says the new limits.
    [[ $(ctr_state "$id") == CONTAINER_RUNNING ]]
    grep -q ":memory:$cg\$" /proc/$(ctr_pid "$id")/cgroup
    run cri_ inspect "$id"
    [[ $(jq -r '.status.resources.linux | [.cpu_quota, .cpu_shares, .memory_limit_in_bytes] | @tsv' <<<"$output") == $'20000\t512\t100663296' ]]
    # A limit below what the container uses is refused by the kernel, and the old one stays.
    cri_ exec "$id" sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=8 2>/dev/null' || true
    if [[ -n $mem ]]; then
        run cri_ update --memory 4096 "$id"
        [ "$status" -ne 0 ]
        [[ $(cat "$mem") == 100663296 ]]
    fi
    # An unknown container: NOT_FOUND.
    run cri_ update --memory 100663296 no-such-container
    [[ $output == *'UpdateContainerResources:'*NOT_FOUND* ]]
}

@test "the CRI log format, long lines as partial entries, and ReopenContainerLog after the file moved" {
    run_pod logs
    id=$(run_ctr talk 'printf "%020000d\n" 0; echo to-stderr >&2; i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.1; done')
    log=$BATS_TEST_TMPDIR/logs-logs/talk.log
    for _ in $(seq 50); do grep -q ' stdout F tick 2$' "$log" 2>/dev/null && break; sleep 0.1; done
    # Every entry: <RFC3339Nano time> <stream> <P|F> <text>.
    run grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}) (stdout|stderr) [PF] ' "$log"
    [ "$output" = 0 ]
    grep -q ' stderr F to-stderr$' "$log"
    # The 20000-character line is longer than containerd's 16 KiB entry: partial entries, then
    # the full one, whose texts make up the line.
    [[ $(grep -c ' stdout P 0' "$log") -ge 1 ]]
    [[ $(awk '$2 == "stdout" && $4 ~ /^0+$/ {printf "%s", $4} $3 == "F" && $4 ~ /^0+$/ {exit}' "$log" | wc -c) == 20000 ]]
    # Log rotation: move the file away, ask containerd to reopen; new lines land in a new file
    # at the same path, the moved one grows no more.
    mv "$log" "$log.1"
    cri_ reopenlog "$id" >/dev/null
    for _ in $(seq 50); do grep -q ' stdout F tick' "$log" 2>/dev/null && break; sleep 0.1; done
    grep -q ' stdout F tick' "$log"
    before=$(wc -l <"$log.1")
    sleep 0.5
    [[ $(wc -l <"$log.1") == "$before" ]]
    [[ $(tail -1 "$log.1" | awk '{print $5}') -lt $(tail -1 "$log" | awk '{print $5}') ]]
    # ReopenContainerLog of a container that is not running: refused.
    cri_ stop --timeout 0 "$id" >/dev/null
    run cri_ reopenlog "$id"
    [ "$status" -ne 0 ]
    [[ $output == *'ReopenContainerLog:'*'not running'* ]]
}

@test "StopContainer with a grace period: SIGTERM handled within it, ignored means SIGKILL after it" {
    run_pod grace
    polite=$(run_ctr polite 'trap "echo got-term; exit 7" TERM; while :; do sleep 0.1; done')
    stubborn=$(run_ctr stubborn 'trap "echo ignoring-term" TERM; while :; do sleep 0.1; done')
    sleep 0.3
    # The one handling SIGTERM exits with its own code, within the grace period (its exit time
    # is less than the period after StopContainer was called).
    local grace=30
    t0=$(date +%s%N)
    cri_ stop --timeout $grace "$polite" >/dev/null
    run cri_ inspect "$polite"
    [[ $(jq -r '[.status.state, .status.exit_code, .status.reason] | @tsv' <<<"$output") == $'CONTAINER_EXITED\t7\tError' ]]
    grep -q ' stdout F got-term$' "$BATS_TEST_TMPDIR/logs-grace/polite.log"
    (( $(jq -r .status.finished_at <<<"$output") - t0 < grace * 1000000000 ))
    # The one ignoring it saw the SIGTERM, and was SIGKILLed no sooner than the grace period
    # after StopContainer was called (a lower bound: a runtime that killed at once fails it).
    grace=2
    t0=$(date +%s%N)
    cri_ stop --timeout $grace "$stubborn" >/dev/null
    run cri_ inspect "$stubborn"
    [[ $(jq -r '[.status.state, .status.exit_code, .status.reason] | @tsv' <<<"$output") == $'CONTAINER_EXITED\t137\tError' ]]
    grep -q ' stdout F ignoring-term$' "$BATS_TEST_TMPDIR/logs-grace/stubborn.log"
    (( $(jq -r .status.finished_at <<<"$output") - t0 >= grace * 1000000000 ))
    # Stopping an exited container again is fine, as the kubelet may.
    cri_ stop --timeout 1 "$stubborn" >/dev/null
}

@test "a container restarted in a running pod (attempt 1) joins the pod's network and IPC namespaces again" {
    run_pod restart
    pause=$(pod_pid "$POD")
    first=$(run_ctr app 'exec sleep 300')
    cri_ stop --timeout 0 "$first" >/dev/null
    cri_ rm "$first" >/dev/null
    f=$(ctr_json app 'echo second-life; exec sleep 300' '.metadata.attempt = 1')
    second=$(cri_ create "$POD" "$f" "$POD_CFG")
    cri_ start "$second" >/dev/null
    [[ $second != "$first" ]]
    [[ $(cri_ inspect "$second" | jq -r .status.metadata.attempt) == 1 ]]
    pid=$(ctr_pid "$second")
    for ns in net ipc uts; do
        [[ $(readlink /proc/$pid/ns/$ns) == "$(readlink /proc/$pause/ns/$ns)" ]]
    done
    # pid CONTAINER: a namespace of its own, not pause's.
    [[ $(readlink /proc/$pid/ns/pid) != "$(readlink /proc/$pause/ns/pid)" ]]
    [[ $(cri_ exec "$second" hostname) == restart ]]
    [[ $(cri_ ps --pod "$POD" | jq -r '.containers[].id') == "$second" ]]
    [[ ! -e $(handler_root)/$first ]]
}

@test "security context: runAsUser/Group, capabilities, read-only rootfs, noNewPrivs, privileged" {
    run_pod sec '.linux.security_context.privileged = true'
    user=$(run_ctr user 'exec sleep 300' '.linux.security_context += {run_as_user: {value: 1234}, run_as_group: {value: 5678},
                                           no_new_privs: true, readonly_rootfs: true}')
    pid=$(ctr_pid "$user")
    [[ $(awk '/^Uid:/ {print $2} /^Gid:/ {print $2}' /proc/$pid/status | paste -sd' ') == "1234 5678" ]]
    [[ $(awk '/^NoNewPrivs:/ {print $2}' /proc/$pid/status) == 1 ]]
    # A non-root user holds no effective capabilities.
    [[ $(awk '/^CapEff:/ {print $2}' /proc/$pid/status) == 0000000000000000 ]]
    [[ $(cri_ exec "$user" id -u) == 1234 ]]
    run cri_ exec "$user" touch /probe
    [ "$status" -ne 0 ]
    [[ $output == *"Read-only file system"* ]]
    awk '$5 == "/" {print $6}' /proc/$pid/mountinfo | grep -q '^ro'

    # Drop all, add NET_ADMIN (bit 12) and NET_BIND_SERVICE (bit 10): exactly those two.
    caps=$(run_ctr caps 'exec sleep 300' '.linux.security_context.capabilities = {drop_capabilities: ["ALL"],
                                          add_capabilities: ["NET_ADMIN", "NET_BIND_SERVICE"]}')
    pid=$(ctr_pid "$caps")
    [[ $(awk '/^CapEff:/ {print $2}' /proc/$pid/status) == 0000000000001400 ]]
    [[ $(awk '/^CapBnd:/ {print $2}' /proc/$pid/status) == 0000000000001400 ]]
    [[ $(awk '/^NoNewPrivs:/ {print $2}' /proc/$pid/status) == 0 ]]
    [[ $(cri_ exec "$caps" awk '/^CapEff:/ {print $2}' /proc/self/status) == 0000000000001400 ]]
    run cri_ exec "$caps" chown 1:1 /tmp
    [ "$status" -ne 0 ]

    # Privileged: every capability the host's bounding set has, /sys writable, host devices.
    priv=$(run_ctr priv 'exec sleep 300' '.linux.security_context.privileged = true')
    pid=$(ctr_pid "$priv")
    [[ $(awk '/^CapEff:/ {print $2}' /proc/$pid/status) == "$(awk '/^CapBnd:/ {print $2}' /proc/self/status)" ]]
    awk '$5 == "/sys" {print $6}' /proc/$pid/mountinfo | grep -q '^rw'
    cri_ exec "$priv" test -e /dev/loop-control -o -e /dev/kmsg
}

@test "the pod's security context: pause runs as its runAsUser/runAsGroup, with its supplemental groups; a container's supplemental groups" {
    run_pod podsec '.linux.security_context += {run_as_user: {value: 2345}, run_as_group: {value: 3456}, supplemental_groups: [4000, 4001]}'
    pid=$(pod_pid "$POD")
    [[ $(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$pid/status) == "2345 2345 2345 2345" ]]
    [[ $(awk '/^Gid:/ {print $2, $3, $4, $5}' /proc/$pid/status) == "3456 3456 3456 3456" ]]
    # pause's groups are the spec's: containerd 1.6 gives the sandbox's user its group alone
    # (oci.WithUser replaces the supplemental groups it set before; runc's pause has the same).
    spec=$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$POD/config.json
    [[ $(jq -c .process.user "$spec") == '{"uid":2345,"gid":3456,"additionalGids":[3456]}' ]]
    [[ $(awk '/^Groups:/ {$1 = ""; print substr($0, 2)}' /proc/$pid/status) == "3456" ]]
    # A container's run_as_user, run_as_group and supplemental_groups: id says them all.
    id=$(run_ctr groups 'exec sleep 300' '.linux.security_context += {run_as_user: {value: 1234}, run_as_group: {value: 5678},
                                          supplemental_groups: [5001, 5002]}')
    [[ $(cri_ exec "$id" id) == "uid=1234 gid=5678 groups=5001,5002,5678" ]]
    [[ $(awk '/^Groups:/ {$1 = ""; print substr($0, 2)}' /proc/$(ctr_pid "$id")/status) == "5001 5002 5678" ]]
    # A pod with supplemental groups and no user: pause (root) has exactly them.
    run_pod podgroups '.linux.security_context += {supplemental_groups: [4000, 4001]}'
    pid=$(pod_pid "$POD")
    [[ $(awk '/^Uid:/ {print $2} /^Gid:/ {print $2}' /proc/$pid/status | paste -sd' ') == "0 0" ]]
    [[ $(awk '/^Groups:/ {$1 = ""; print substr($0, 2)}' /proc/$pid/status) == "4000 4001" ]]
}

@test "LXCFS views through the CRI: a pod annotated io.mogu.lxcfs sees its containers' own memory limit in /proc/meminfo" {
    if why=$(lxcfs_missing); then skip "$why"; fi
    LXCFS_DIR=$BATS_TEST_TMPDIR/lxcfs
    start_lxcfs "$LXCFS_DIR"
    printf 'LxcfsPath = "%s"\n' "$LXCFS_MNT" >"$CRI_DIR/lxcfs-shim.toml"
    local limit='.linux.resources = {memory_limit_in_bytes: 67108864}' host_kb
    host_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    # The pod asks for the views (the handler passes io.mogu.lxcfs on to the runtime).
    run_pod views '.annotations = {"io.mogu.lxcfs": "true"}' mogu-lxcfs
    own=$(run_ctr own 'exec sleep 300' "$limit")
    local views_pod=$POD
    # The same handler without the annotation: the host's /proc.
    run_pod plain '.' mogu-lxcfs
    plain=$(run_ctr plain 'exec sleep 300' "$limit")
    [ "$(cri_ exec "$own" awk '/^MemTotal:/ {print $2}' /proc/meminfo)" = 65536 ]
    [ "$(cri_ exec "$plain" awk '/^MemTotal:/ {print $2}' /proc/meminfo)" = "$host_kb" ]
    # Its /proc/meminfo is LXCFS's file (a FUSE mount), the other's the kernel's.
    awk '$5 == "/proc/meminfo"' "/proc/$(ctr_pid "$own")/mountinfo" | grep -q ' - fuse'
    ! awk '$5 == "/proc/meminfo"' "/proc/$(ctr_pid "$plain")/mountinfo" | grep -q ' - fuse' || false
    cri_ stopp "$views_pod" "$POD" >/dev/null
    cri_ rmp "$views_pod" "$POD" >/dev/null
    stop_lxcfs "$LXCFS_DIR"
    LXCFS_DIR=
}

@test "seccomp: RuntimeDefault filters, Unconfined does not, a Localhost profile the test wrote applies" {
    run_pod seccomp
    def=$(run_ctr def 'exec sleep 300' '.linux.security_context.seccomp = {profile_type: "RuntimeDefault"}')
    unc=$(run_ctr unc 'exec sleep 300' '.linux.security_context.seccomp = {profile_type: "Unconfined"}')
    profile=$BATS_TEST_TMPDIR/no-mkdir.json
    echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}' >"$profile"
    export PROFILE=$profile
    loc=$(run_ctr loc 'exec sleep 300' '.linux.security_context.seccomp = {profile_type: "Localhost", localhost_ref: env.PROFILE}')
    [[ $(awk '/^Seccomp:/ {print $2}' /proc/$(ctr_pid "$def")/status) == 2 ]]
    [[ $(awk '/^Seccomp:/ {print $2}' /proc/$(ctr_pid "$unc")/status) == 0 ]]
    [[ $(awk '/^Seccomp:/ {print $2}' /proc/$(ctr_pid "$loc")/status) == 2 ]]
    # RuntimeDefault refuses what the kernel allows this container (root without CAP_SYS_ADMIN):
    # a new user namespace, which the Unconfined container makes.
    run cri_ exec "$def" unshare -U true
    [ "$status" -ne 0 ]
    [[ $output == *"unshare(0x10000000): Operation not permitted"* ]]
    run cri_ exec "$unc" unshare -U true
    [ "$status" -eq 0 ]
    # The Localhost profile: mkdir fails, other calls go through.
    run cri_ exec "$loc" mkdir /tmp/d
    [ "$status" -ne 0 ]
    [[ $output == *"Operation not permitted"* ]]
    cri_ exec "$loc" touch /tmp/f
    cri_ exec "$unc" mkdir /tmp/d
    # A Localhost profile that does not exist: CreateContainer names it, nothing is left.
    run cri_ create "$POD" "$(ctr_json nofile 'exit 0' '.linux.security_context.seccomp = {profile_type: "Localhost", localhost_ref: "/no/such/profile.json"}')" "$POD_CFG"
    [ "$status" -ne 0 ]
    [[ $output == *'/no/such/profile.json'* ]]
    [[ $(cri_ ps --pod "$POD" | jq '.containers | length') == 3 ]]
}

@test "a pod whose shim was killed: NOTREADY, its containers exited, and it is removed cleanly" {
    # pid POD: the container joins pause's PID namespace, which dies with the shim's processes.
    run_pod shimkill '.linux.security_context.namespace_options.pid = "POD"'
    id=$(run_ctr c 'exec sleep 300' '.linux.security_context.namespace_options.pid = "POD"')
    info=$(cri_ inspectp "$POD")
    ip=$(jq -r .status.network.ip <<<"$info")
    netns=$(jq -r '.info.info' <<<"$info" | jq -r '.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
    bundles=$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io
    shim=$(cat "$bundles/$POD/shim.pid")
    pause=$(pod_pid "$POD") cpid=$(ctr_pid "$id")
    kill -9 "$shim"
    for _ in $(seq 100); do
        [[ $(cri_ inspectp "$POD" | jq -r .status.state) == SANDBOX_NOTREADY && $(ctr_state "$id") == CONTAINER_EXITED ]] && break
        sleep 0.1
    done
    [[ $(cri_ inspectp "$POD" | jq -r .status.state) == SANDBOX_NOTREADY ]]
    run cri_ inspect "$id"
    [[ $(jq -r '[.status.state, .status.reason] | @tsv' <<<"$output") == $'CONTAINER_EXITED\tError' ]]
    # containerd's cleanup of the dead shim (the shim binary's delete, mogu delete --force) took
    # the pod's processes with it.
    # It kills the processes first, then removes the state: wait for both (on a loaded host
    # containerd's clean-up of a dead shim took more than 10 s).
    for _ in $(seq 300); do
        [[ -e /proc/$pause || -e /proc/$cpid || -e $(handler_root)/$POD || -e $(handler_root)/$id ]] || break
        sleep 0.1
    done
    [[ ! -e /proc/$pause && ! -e /proc/$cpid ]]
    [[ ! -e $(handler_root)/$POD && ! -e $(handler_root)/$id ]]
    cri_ stopp "$POD" >/dev/null
    cri_ rmp "$POD" >/dev/null
    assert_pod_gone "$POD" "$ip" "$netns" "$(pod_cgroup)" "$id"
}

@test "Exec and Attach through containerd's streaming server, websocket v4.channel.k8s.io" {
    [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import websocket' 2>/dev/null ||
        skip "python3-websocket not installed (make deps)"
    stream=$MOGU_SRC/tests/cri/stream/k8s-stream
    run_pod stream
    id=$(run_ctr s 'exec sleep 300')
    url=$(cri_ exec-url "$id" sh -c 'echo to-out; echo to-err >&2; exit 3')
    [[ $url == http://127.0.0.1:*/exec/* ]]
    run --separate-stderr "$stream" "$url"
    [ "$status" -eq 3 ]
    [ "$output" = to-out ]
    [ "$stderr" = to-err ]
    # Success, stdin in; the URL is single-use.
    url=$(cri_ exec-url -i "$id" sh -c 'read line; echo "got $line"')
    run "$stream" "$url" --stdin $'hello\n'
    [ "$status" -eq 0 ]
    [ "$output" = "got hello" ]
    run "$stream" "$url"
    [ "$status" -ne 0 ]
    # A command that cannot run: non-zero, and the stream says why.
    url=$(cri_ exec-url "$id" /no/such/binary)
    run "$stream" "$url"
    [ "$status" -ne 0 ]
    [[ $output == *'/no/such/binary'* ]]
    # Attach to a container with stdin and a terminal: the shell answers, and its exit ends both.
    f=$(ctr_json tty 'exec sh' '.stdin = true | .tty = true')
    tty=$(cri_ create "$POD" "$f" "$POD_CFG")
    cri_ start "$tty" >/dev/null
    url=$(cri_ attach-url -i -t "$tty")
    [[ $url == http://127.0.0.1:*/attach/* ]]
    run timeout 30 "$stream" "$url" --stdin $'echo attached-$((6*7))\nexit 5\n'
    [ "$status" -eq 0 ]
    [[ $output == *attached-42* ]]
    wait_ctr_exited "$tty"
    [[ $(cri_ inspect "$tty" | jq -r .status.exit_code) == 5 ]]
    # Attach to a container without a terminal: stdout and stderr apart.
    chat=$(run_ctr chat 'while :; do echo out-line; echo err-line >&2; sleep 0.2; done')
    url=$(cri_ attach-url "$chat")
    run --separate-stderr timeout 5 "$stream" "$url"
    [[ $output == *out-line* && $output != *err-line* && $stderr == *err-line* ]]
}

# A conflist that sorts before ours takes over (containerd reloads net.d when it changes): its
# only range is one address, which a lease file says is taken.
use_exhausted_range() {
    cat >"$CRI_DIR/net.d/05-exhausted.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "mogu-cri", "plugins": [
  {"type": "bridge", "bridge": "$CRI_BRIDGE", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "dataDir": "$CRI_DIR/ipam",
            "ranges": [[{"subnet": "10.233.$CRI_NET.0/24", "rangeStart": "10.233.$CRI_NET.250", "rangeEnd": "10.233.$CRI_NET.250"}]]}}]}
JSON
    printf 'some-other-pod\r\neth0' >"$CRI_DIR/ipam/mogu-cri/10.233.$CRI_NET.250"
    for _ in $(seq 50); do cri_ info | jq -r .info.cniconfig | grep -q rangeStart && return 0; sleep 0.1; done
    echo "containerd did not load 05-exhausted.conflist" >&2
    return 1
}

use_good_range() {
    rm -f "$CRI_DIR/net.d/05-exhausted.conflist" "$CRI_DIR/ipam/mogu-cri/10.233.$CRI_NET.250"
    for _ in $(seq 50); do cri_ info | jq -r .info.cniconfig | grep -q rangeStart || return 0; sleep 0.1; done
    return 1
}

@test "bad input: a pod whose CNI ADD fails (IP range exhausted) fails with CNI's reason and leaves nothing" {
    use_exhausted_range
    netns_before=$(ls "$CRI_DIR/state/io.containerd.grpc.v1.cri/netns" 2>/dev/null | sort)
    leases_before=$(ls "$CRI_DIR/ipam/mogu-cri" | sort)
    run cri_ runp --runtime "${CRI_TEST_HANDLER:-mogu}" "$(pod_json nonet)"
    use_good_range
    [ "$status" -eq 1 ]
    [[ $output == *'RunPodSandbox:'*'failed to setup network for sandbox'*'no IP addresses available in range set: 10.233.'$CRI_NET'.250-10.233.'$CRI_NET'.250'* ]]
    sandbox=$(grep -o 'sandbox \\\?"[0-9a-f]\{64\}' <<<"$output" | grep -o '[0-9a-f]\{64\}')
    [[ -n $sandbox ]]
    [[ $(cri_ pods | jq '.items | length') == 0 ]]
    [[ $(ls "$CRI_DIR/state/io.containerd.grpc.v1.cri/netns" 2>/dev/null | sort) == "$netns_before" ]]
    [[ ! -e /var/run/netns || -z $(ls /var/run/netns | grep -F "$sandbox") ]]
    [[ $(ls "$CRI_DIR/ipam/mogu-cri" | grep -v "10.233.$CRI_NET.250" | sort) == "$(grep -v "10.233.$CRI_NET.250" <<<"$leases_before")" ]]
    [[ -z $(ip -o link show master $CRI_BRIDGE 2>/dev/null) ]]
    [[ ! -e /sys/fs/cgroup/memory/kubepods/burstable/poduid-nonet-$$ ]]
    [[ ! -e $(handler_root)/$sandbox ]]
    # A process naming the sandbox that lives on (grep finds the shell's own short-lived children).
    for f in $(grep -lsF -- "$sandbox" /proc/[0-9]*/cmdline); do
        sleep 0.2
        ! grep -qsF -- "$sandbox" "$f" || { echo "left: $(tr '\0' ' ' <"$f")"; false; }
    done
    ! grep -q "$sandbox" /proc/self/mounts || false
    # The network is back: the same pod runs now.
    run_pod nonet
    [[ $(cri_ inspectp "$POD" | jq -r .status.state) == SANDBOX_READY ]]
}

@test "bad input: a container that exits at once, and one whose command cannot be exec'd" {
    run_pod badctr
    quick=$(run_ctr quick 'echo bye')
    wait_ctr_exited "$quick"
    run cri_ inspect "$quick"
    [[ $(jq -r '[.status.exit_code, .status.reason, .status.message] | @tsv' <<<"$output") == $'0\tCompleted\t' ]]
    grep -q ' stdout F bye$' "$BATS_TEST_TMPDIR/logs-badctr/quick.log"
    f=$(ctr_json noexec x '.command = ["/no/such/binary"]')
    id=$(cri_ create "$POD" "$f" "$POD_CFG")
    run cri_ start "$id"
    [ "$status" -eq 1 ]
    [[ $output == *'StartContainer:'*'exec: "/no/such/binary"'* ]]
    # As with runc: exited, 128, StartError, and the runtime's message.
    run cri_ inspect "$id"
    [[ $(jq -r '[.status.state, .status.exit_code, .status.reason] | @tsv' <<<"$output") == $'CONTAINER_EXITED\t128\tStartError' ]]
    [[ $(jq -r .status.message <<<"$output") == *'exec: "/no/such/binary"'*'o such file or directory'* ]]
    # A file that is not executable: permission denied, said so.
    f=$(ctr_json notexec x '.command = ["/etc/passwd"]')
    id2=$(cri_ create "$POD" "$f" "$POD_CFG")
    run cri_ start "$id2"
    [ "$status" -eq 1 ]
    [[ $(cri_ inspect "$id2" | jq -r .status.message) == *'/etc/passwd'*'ermission denied'* ]]
    # Nothing of either is left running: no runtime state, no process, removable.
    for c in "$id" "$id2"; do
        [[ ! -e $(handler_root)/$c ]]
        cri_ rm "$c" >/dev/null
        ! grep -q "$c" /proc/self/mounts || false
    done
}

# The ticks a container logged are 0, 1, 2, ... with none missing: prints how many.
ticks_in_order() {
    awk '$2 == "stdout" && $5 != n++ {print "tick " n - 1 " missing at: " $0 > "/dev/stderr"; bad = 1; exit}
         END {if (bad) exit 1; print n}' "$1"
}

@test "containerd restarted (as on a node's upgrade) with running pods: they are taken up again and removed cleanly after" {
    local tick='trap "exit 0" TERM; i=0; while :; do echo "tick $i"; i=$((i + 1)); sleep 0.2; done'
    run_pod roll
    pod=$POD cfg=$POD_CFG
    info=$(cri_ inspectp "$pod")
    ip=$(jq -r .status.network.ip <<<"$info")
    netns=$(jq -r '.info.info' <<<"$info" | jq -r '.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
    c=$(run_ctr c "$tick")
    pause=$(pod_pid "$pod") cpid=$(ctr_pid "$c") shims=$(cri_shims)
    # A mogu-vm pod too, where its shim is built (one more boot).
    vm=
    if [[ -x $MOGU_BIN/containerd-shim-mogu-vm-v2 ]]; then
        run_pod rollvm . mogu-vm
        vm=$POD vmcfg=$POD_CFG
        vmip=$(cri_ inspectp "$vm" | jq -r .status.network.ip)
        vmnetns=$(cri_ inspectp "$vm" | jq -r '.info.info' | jq -r '.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
        v=$(run_ctr v "$tick")
        guest_kernel=$(cri_ exec "$v" uname -r)
        vpause=$(pod_pid "$vm") vpid=$(ctr_pid "$v") shims=$(cri_shims)
    else
        echo "# $MOGU_BIN/containerd-shim-mogu-vm-v2 is not built: the mogu-vm pod's part is not run" >&3
    fi
    log=$BATS_TEST_TMPDIR/logs-roll/c.log
    for _ in $(seq 50); do grep -q ' stdout F tick 1$' "$log" 2>/dev/null && break; sleep 0.1; done
    old=$(<"$CRI_DIR/containerd.pid")
    restart_cri
    [[ $(<"$CRI_DIR/containerd.pid") != "$old" ]]
    ! kill -0 "$old" 2>/dev/null || false
    # The pod is READY and its container RUNNING, the same processes under the same shims.
    [[ $(cri_ inspectp "$pod" | jq -r .status.state) == SANDBOX_READY ]]
    [[ $(ctr_state "$c") == CONTAINER_RUNNING ]]
    [[ $(pod_pid "$pod") == "$pause" && $(ctr_pid "$c") == "$cpid" ]]
    [[ $(cri_shims) == "$shims" ]]
    # ExecSync works, and the container's output reaches its log as before, no line lost.
    [[ $(cri_ exec "$c" hostname) == roll ]]
    n=$(ticks_in_order "$log")
    for _ in $(seq 50); do (( $(ticks_in_order "$log") > n + 2 )) && break; sleep 0.1; done
    (( $(ticks_in_order "$log") > n + 2 ))
    # Its exit reaches the new containerd: StopContainer, SIGTERM handled, exit code 0.
    cri_ stop --timeout 30 "$c" >/dev/null
    [[ $(cri_ inspect "$c" | jq -r '[.status.state, .status.exit_code] | @tsv') == $'CONTAINER_EXITED\t0' ]]
    if [[ -n $vm ]]; then
        [[ $(cri_ inspectp "$vm" | jq -r .status.state) == SANDBOX_READY ]]
        [[ $(ctr_state "$v") == CONTAINER_RUNNING ]]
        [[ $(pod_pid "$vm") == "$vpause" && $(ctr_pid "$v") == "$vpid" ]]
        [[ $(cri_ exec "$v" uname -r) == "$guest_kernel" ]]
        vlog=$BATS_TEST_TMPDIR/logs-rollvm/v.log
        n=$(ticks_in_order "$vlog")
        for _ in $(seq 50); do (( $(ticks_in_order "$vlog") > n + 2 )) && break; sleep 0.1; done
        (( $(ticks_in_order "$vlog") > n + 2 ))
        cri_ stop --timeout 30 "$v" >/dev/null
        [[ $(cri_ inspect "$v" | jq -r '[.status.state, .status.exit_code] | @tsv') == $'CONTAINER_EXITED\t0' ]]
        cri_ stopp "$vm" >/dev/null
        [ "$(pod_qemus "$vm")" -eq 0 ]
        cri_ rmp "$vm" >/dev/null
    fi
    cri_ stopp "$pod" >/dev/null
    cri_ rmp "$pod" >/dev/null
    # Nothing of either is left (no veth at all on the bridge: both pods first).
    POD_CFG=$cfg
    assert_pod_gone "$pod" "$ip" "$netns" "$(pod_cgroup)" "$c"
    if [[ -n $vm ]]; then
        POD_CFG=$vmcfg
        assert_pod_gone "$vm" "$vmip" "$vmnetns" "$(pod_cgroup)" "$v"
    fi
}
