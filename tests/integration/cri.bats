#!/usr/bin/env bats
# Kubernetes through containerd's CRI plugin, handler mogu: what a kubelet asks (RunPodSandbox,
# CreateContainer, ExecSync, ...) through mogu-cri, against a private containerd 1.6 with real CNI
# (bridge, host-local, portmap). One containerd serves the file; every test runs its own pods.

load lib/cri

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    if why=$(cri_missing); then
        export CRI_SKIP=$why
        return 0
    fi
    start_cri
}

teardown_file() {
    [[ -n ${CRI_SKIP:-} ]] || stop_cri
}

setup() {
    [[ -z ${CRI_SKIP:-} ]] || skip "$CRI_SKIP"
}

# A test that fails midway leaves its pods to the next one: remove them (containers go with them).
teardown() {
    [[ -z ${CRI_SKIP:-} ]] || return 0
    local p
    for p in $(cri_ pods | jq -r '.items[].id'); do
        cri_ stopp "$p" >/dev/null || true
        cri_ rmp "$p" >/dev/null || true
    done
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
    [[ $(jq -r .status.network.ip <<<"$output") == "10.233.$CRI_NET."* ]]
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
}

@test "a container gets command, env, mounts, working dir, hostname, DNS and sysctls; ExecSync" {
    mkdir -p "$BATS_TEST_TMPDIR/vol" && echo from-host >"$BATS_TEST_TMPDIR/vol/file"
    run_pod app '.dns_config = {servers: ["10.96.0.10"], searches: ["mogu-test.svc.cluster.local"], options: ["ndots:5"]}
                 | .linux.sysctls = {"net.ipv4.ip_unprivileged_port_start": "1024", "kernel.shm_rmid_forced": "1"}'
    export VOL=$BATS_TEST_TMPDIR/vol
    id=$(run_ctr main 'echo started; exec sleep 300' \
         '.envs = [{key: "GREETING", value: "hello mogu"}] | .working_dir = "/srv"
          | .mounts = [{container_path: "/data", host_path: env.VOL, readonly: true}]') || true
    [[ -n $id ]]
    run cri_ exec "$id" sh -c 'echo "$GREETING"; pwd; cat /data/file; hostname; cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shm_rmid_forced'
    [ "$status" -eq 0 ]
    [ "$output" = $'hello mogu\n/srv\nfrom-host\napp\n1024\n1' ]
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

@test "handler mogu-vm: RunPodSandbox is refused before a VM boots, naming the pod's shm, and leaves nothing" {
    [[ -x $MOGU_BIN/containerd-shim-mogu-vm-v2 ]] || skip "$MOGU_BIN/containerd-shim-mogu-vm-v2 not built"
    # containerd binds a host tmpfs (sandboxes/<id>/shm) on every pod's /dev/shm; mogu-vm copies
    # bound host files into the guest, never directories (docs/kubernetes.md: not yet).
    run cri_ runp --runtime mogu-vm "$(pod_json vm)"
    [ "$status" -eq 1 ]
    [[ $output == *'RunPodSandbox:'*'/shm) cannot cross into a VM'* ]]
    [[ $(cri_ pods | jq '.items | length') == 0 ]]
    [[ -z $(ls "$CRI_DIR/ipam/mogu-cri" | grep -v -e '^last_reserved_ip' -e '^lock$') ]]
    [[ -z $(ip -o link show master $CRI_BRIDGE 2>/dev/null) ]]
    [[ -z $(grep -lsF -- "$CRI_DIR/containerd.sock" /proc/[0-9]*/cmdline) ]]
    ! grep -q "$CRI_DIR/state/io.containerd.grpc.v1.cri/sandboxes" /proc/self/mounts
}
