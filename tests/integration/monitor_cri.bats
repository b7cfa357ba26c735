#!/usr/bin/env bats
# mogu-monitor and Kubernetes: pods run through containerd's CRI plugin by our CRI client (as the
# kubelet runs them), on RuntimeClass handler mogu (containerd-shim-mogu-v2) and on mogu-runc
# (containerd's own runc shim with BinaryName = mogu), found under the monitor's default roots,
# with the pod's namespace, name, container and image as labels, a container restarted by the
# "kubelet" counted, and every series gone with the pod.

load lib/runtime
bats_require_minimum_version 1.5.0
load lib/monitor
load lib/cri

setup_file() {
    if CRI_SKIP=$(cri_missing); then export CRI_SKIP; return 0; fi
    unset CRI_SKIP
    start_cri
}

teardown_file() {
    stop_cri
    remove_pod_cgroups
}

setup() {
    [[ -z ${CRI_SKIP:-} ]] || skip "$CRI_SKIP"
    [[ -x $MONITOR ]] || { echo "mogu-monitor missing at $MONITOR (run make)" >&2; return 1; }
    TEST_TMP=$BATS_TEST_TMPDIR
}

teardown() {
    [[ -z ${CRI_SKIP:-} ]] || return 0
    [[ -n ${MON_PID:-} ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    local p
    for p in $(cri_ pods | jq -r '.items[].id'); do
        cri_ stopp "$p" >/dev/null || true
        cri_ rmp "$p" >/dev/null || true
    done
}

# The monitor with its default container roots (no [containers] table), collecting every 200 ms.
start_default_monitor() {
    printf 'listen = "127.0.0.1:0"\ninterval = "200ms"\n' >"$TEST_TMP/monitor.toml"
    launch_monitor
}

# series_of POD CONTAINER: the scrape's container_memory_usage_bytes lines of that pod's container
# (this suite's Kubernetes namespace only: other CRI runs on the host have their own pods).
series_of() {
    scrape | grep -E '^container_memory_usage_bytes\{' | grep -F 'namespace="mogu-test"' |
        grep -F "pod=\"$1\"" | grep -F "container=\"$2\"" || true
}

@test "pods on handlers mogu and mogu-runc: found under the default roots, with Kubernetes' labels and the container's limit" {
    start_default_monitor
    run_pod shop '.labels = {app: "shop"}'
    local shop=$POD
    app=$(run_ctr app 'exec sleep 300' '.linux.resources = {memory_limit_in_bytes: 67108864}')
    run_pod cart '.' mogu-runc
    local cart=$POD
    worker=$(run_ctr worker 'exec sleep 300' '.linux.resources = {memory_limit_in_bytes: 33554432}')
    # containerd's runc shim keeps its runtime's (mogu's) state under /run/containerd/runc/<namespace>.
    [[ -f /run/containerd/runc/k8s.io/$worker/state.json ]]
    wait_until 10 '[[ -n $(series_of shop app) && -n $(series_of cart worker) ]]'
    local line
    line=$(series_of shop app)
    echo "$line"
    [[ $(wc -l <<<"$line") == 1 ]]
    [[ $line == *"image=\"$CRI_BUSYBOX\""* ]]
    [[ $line == *"containerd_namespace=\"k8s.io\""* ]]
    # cAdvisor's id: the container's cgroup, in the kubelet's layout.
    [[ $line == *"id=\"/kubepods/burstable/poduid-shop-"*"/$app\""* ]]
    [ "$(metric_value container_spec_memory_limit_bytes 'namespace="mogu-test"' 'pod="shop"' 'container="app"')" = 67108864 ]
    [ "$(metric_value container_spec_memory_limit_bytes 'namespace="mogu-test"' 'pod="cart"' 'container="worker"')" = 33554432 ]
    # Its memory use is the cgroup's, read by the monitor.
    local cg=/sys/fs/cgroup/memory/kubepods/burstable/poduid-shop-$$/$app
    [[ -d $cg ]] || cg=/sys/fs/cgroup/kubepods/burstable/poduid-shop-$$/$app
    [[ -d $cg ]]
    (( $(metric_value container_memory_usage_bytes 'pod="shop"' 'container="app"') > 0 ))
    # The pause container is the pod's sandbox: it carries the pod's names too.
    scrape | grep -E '^container_memory_usage_bytes\{' | grep -F "id=\"/kubepods/burstable/poduid-shop-$$/$shop\"" | grep -qF 'pod="shop"'
    # Removed pods take their series with them.
    cri_ stopp "$shop" "$cart" >/dev/null
    cri_ rmp "$shop" "$cart" >/dev/null
    wait_until 10 '[[ -z $(series_of shop app) && -z $(series_of cart worker) ]]'
    [[ ! -e /run/containerd/runc/k8s.io/$worker ]]
}

@test "a container the kubelet starts again in its pod (attempt 1, a new id) counts one restart" {
    start_default_monitor
    run_pod again
    first=$(run_ctr app 'exec sleep 300')
    wait_until 10 '[[ -n $(series_of again app) ]]'
    [ "$(metric_value mogu_container_restarts_total 'pod="again"' 'container="app"')" = 0 ]
    # The kubelet's restart: the old container stopped (kept, exited), a new one of the same name.
    cri_ stop --timeout 0 "$first" >/dev/null
    sleep 1.1   # start times are compared in seconds: the new one must start in a later second
    f=$(ctr_json app 'exec sleep 300' '.metadata.attempt = 1')
    second=$(cri_ create "$POD" "$f" "$POD_CFG")
    cri_ start "$second" >/dev/null
    [[ $second != "$first" ]]
    wait_until 10 "[ \"\$(metric_value mogu_container_restarts_total 'pod=\"again\"' 'container=\"app\"' 'id=\"/kubepods/burstable/poduid-again-$$/$second\"')\" = 1 ]"
}
