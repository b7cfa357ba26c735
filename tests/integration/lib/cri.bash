# The CRI suites' helpers: a private containerd with its CRI plugin (tests/cri/containerd-cri.sh)
# and mogu-cri, the CRI client, speaking to it as a kubelet would.
#   cri_missing                 why the suite cannot run here, or nothing (status 1)
#   start_cri / stop_cri        the containerd (CRI_DIR, CRI_ENDPOINT)
#   restart_cri                 restarts it (same config and state), its shims and pods left running
#   cri_ ARGS...                mogu-cri against it
#   pod_json NAME [JQ]          a pod config (crictl's format) in $BATS_TEST_TMPDIR/NAME-pod.json,
#                               edited by the jq filter JQ; prints the path
#   ctr_json NAME CMD [JQ]      a busybox container config running `sh -c CMD`; prints the path
#   run_pod NAME [JQ] [HANDLER] runs a pod, sets POD (its id) and POD_CFG; the handler defaults
#                               to $CRI_TEST_HANDLER, else mogu (CRI_TEST_HANDLER=runc runs the
#                               suite over containerd's runc shim, for comparison)
#   handler_root                where the handler's runtime keeps its containers' state
#   run_ctr NAME CMD [JQ]       creates and starts a container in $POD, prints its id
#   wait_ctr_exited ID          waits until the container has exited
#   pod_cgroup UID              the pod's cgroup below a hierarchy, kubelet cgroupfs layout
#   remove_pod_cgroups          the pod cgroups left once the pods are gone, as the kubelet removes them

CRI_SCRIPT=${MOGU_SRC:-$PWD}/tests/cri/containerd-cri.sh
CRI_CLIENT=${MOGU_SRC:-$PWD}/${BUILD:-build}/tests/tools/mogu-cri
CRI_BUSYBOX=docker.io/mogu/busybox:latest
# The pod network the script makes (MOGU_CRI_NET: see tests/cri/containerd-cri.sh).
CRI_NET=${MOGU_CRI_NET:-77}
CRI_BRIDGE=mogucri$CRI_NET
CRI_GATEWAY=10.233.$CRI_NET.1
CRI_HOST_PORT=$((18000 + CRI_NET))

cri_missing() {
    [[ -x $CRI_CLIENT ]] || { echo "$CRI_CLIENT not built (make fixtures)"; return 0; }
    local why
    why=$("$CRI_SCRIPT" missing) && { echo "$why"; return 0; }
    return 1
}

start_cri() {
    local out
    out=$("$CRI_SCRIPT" start) || return 1
    eval "$out"
    export CRI_DIR CRI_ENDPOINT
}

stop_cri() {
    [[ -n ${CRI_DIR:-} && -d $CRI_DIR ]] || return 0
    "$CRI_SCRIPT" stop "$CRI_DIR"
}

restart_cri() { "$CRI_SCRIPT" restart "$CRI_DIR"; }

cri_() { "$CRI_CLIENT" -r "$CRI_ENDPOINT" "$@"; }

pod_json() {
    local name=$1 filter=${2:-.} f=$BATS_TEST_TMPDIR/$1-pod.json
    jq -n --arg name "$name" --arg uid "uid-$name-$$" --arg logs "$BATS_TEST_TMPDIR/logs-$name" '{
        metadata: {name: $name, namespace: "mogu-test", uid: $uid, attempt: 0},
        hostname: $name, log_directory: $logs,
        linux: {cgroup_parent: ("/kubepods/burstable/pod" + $uid),
                security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}
    }' | jq "$filter" >"$f"
    echo "$f"
}

ctr_json() {
    local name=$1 cmd=$2 filter=${3:-.} f=$BATS_TEST_TMPDIR/$1-ctr.json
    jq -n --arg name "$name" --arg image "$CRI_BUSYBOX" --arg cmd "$cmd" '{
        metadata: {name: $name, attempt: 0}, image: {image: $image},
        command: ["sh", "-c", $cmd], log_path: ($name + ".log"),
        linux: {security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}
    }' | jq "$filter" >"$f"
    echo "$f"
}

run_pod() {
    POD_CFG=$(pod_json "$1" "${2:-.}")
    POD=$(cri_ runp --runtime "${3:-${CRI_TEST_HANDLER:-mogu}}" "$POD_CFG")
}

handler_root() { echo "/run/containerd/${CRI_TEST_HANDLER:-mogu}/k8s.io"; }

run_ctr() {
    local f id
    f=$(ctr_json "$1" "$2" "${3:-.}")
    id=$(cri_ create "$POD" "$f" "$POD_CFG") || return 1
    cri_ start "$id" >/dev/null || return 1
    echo "$id"
}

ctr_state() { cri_ inspect "$1" | jq -r .status.state; }

wait_ctr_exited() {
    for _ in $(seq 100); do
        [[ $(ctr_state "$1") == CONTAINER_EXITED ]] && return 0
        sleep 0.1
    done
    echo "container $1 did not exit: $(cri_ inspect "$1")" >&2
    return 1
}

# The pod's uid as pod_json makes it, and its cgroup (kubelet's cgroupfs layout).
pod_uid() { jq -r .metadata.uid "$POD_CFG"; }
pod_cgroup() { echo "/kubepods/burstable/pod$(pod_uid)"; }

# The kubelet removes a pod's cgroup after its pod; the suites play the kubelet, so once their pods
# are gone the pod cgroups pod_json gave them (uids "uid-*") go too, with kubepods/burstable and
# kubepods if empty. Cgroups still in use stay (rmdir fails on them).
remove_pod_cgroups() {
    local m d
    for m in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo); do
        for d in "$m"/kubepods/burstable/poduid-*; do [[ -d $d ]] && { rmdir "$d" 2>/dev/null || true; }; done
        rmdir "$m/kubepods/burstable" "$m/kubepods" 2>/dev/null || true  # absent, or a pod not ours
    done
    return 0
}

# The kubelet removes the pod's cgroup once its containers are gone: rmdir fails while any is left.
remove_pod_cgroup() {
    local cg=$1 m
    for m in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo); do
        [[ -d $m$cg ]] || continue
        rmdir "$m$cg" || { echo "pod cgroup $m$cg not empty: $(find "$m$cg" -mindepth 1 -type d)"; return 1; }
    done
}
