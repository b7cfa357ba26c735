#!/bin/bash
# A pod through containerd's CRI plugin as a kubelet starts one, handler mogu against
# containerd's runc handler, side by side behind one private containerd (tests/cri):
#   start:    RunPodSandbox + CreateContainer + StartContainer until the container's first line
#             is in its CRI log
#   teardown: StopContainer + RemoveContainer + StopPodSandbox + RemovePodSandbox
#   parallel: P pods of 2 containers each started at once, until every container has written,
#             then torn down at once
#   mogu-vm:  VM_N pods on handler mogu-vm (one micro-VM per pod): start as above, a second
#             container started in the running pod (no boot), teardown (VM_N=0 leaves it out)
# Each call is one mogu-cri process (a gRPC client), the same for both handlers.
#   N=10 P=20 VM_N=3 MOGU_CRI_NET=77 bench/cri.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export MOGU_SRC=$PWD BUILD=${BUILD:-build}
export MOGU_BIN=${MOGU_BIN:-$PWD/$BUILD/bin}
N=${N:-10}
P=${P:-20}
VM_N=${VM_N:-3}
source tests/integration/lib/cri.bash
if why=$(cri_missing); then echo "skip: $why"; exit 0; fi
BATS_TEST_TMPDIR=$(mktemp -d /tmp/mogu-bench-cri.XXXXXX)
trap 'stop_cri; rm -rf "$BATS_TEST_TMPDIR"' EXIT
start_cri

ns_now() { date +%s%N; }

# Waits until FILE holds a stdout line.
wait_log() {
    local f=$1
    until grep -qs ' stdout ' "$f"; do sleep 0.002; done
}

# One pod named NAME with C containers under HANDLER, up to every container's first output;
# prints the pod id.
pod_up() {
    local handler=$1 name=$2 c=$3 pod_cfg pod i f id
    pod_cfg=$(pod_json "$name")
    pod=$(cri_ runp --runtime "$handler" "$pod_cfg")
    for i in $(seq "$c"); do
        f=$(ctr_json "$name-$i" 'echo up; exec sleep 600')
        id=$(cri_ create "$pod" "$f" "$pod_cfg")
        cri_ start "$id" >/dev/null
    done
    for i in $(seq "$c"); do wait_log "$BATS_TEST_TMPDIR/logs-$name/$name-$i.log"; done
    echo "$pod"
}

pod_down() {
    local pod=$1 id
    for id in $(cri_ ps --pod "$pod" | jq -r '.containers[].id'); do
        cri_ stop --timeout 0 "$id" >/dev/null
        cri_ rm "$id" >/dev/null
    done
    cri_ stopp "$pod" >/dev/null
    cri_ rmp "$pod" >/dev/null
}

# Median and best in ms of N start and teardown rounds of one pod with one container.
serial() {
    local handler=$1 i t0 t1 t2 pod starts=() downs=()
    for i in $(seq "$N"); do
        t0=$(ns_now)
        pod=$(pod_up "$handler" "s-$handler-$i" 1)
        t1=$(ns_now)
        pod_down "$pod"
        t2=$(ns_now)
        starts+=($(( (t1 - t0) / 1000000 )))
        downs+=($(( (t2 - t1) / 1000000 )))
    done
    echo "$(median "${starts[@]}") $(median "${downs[@]}")"
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)], v[1]}'; }

# Wall time in ms of P pods of 2 containers started at once, then of their teardown at once.
parallel() {
    local handler=$1 i t0 t1 t2 pids=()
    t0=$(ns_now)
    for i in $(seq "$P"); do pod_up "$handler" "p-$handler-$i" 2 >"$BATS_TEST_TMPDIR/pod-$handler-$i" & pids+=($!); done
    wait "${pids[@]}"
    t1=$(ns_now)
    pids=()
    for i in $(seq "$P"); do pod_down "$(<"$BATS_TEST_TMPDIR/pod-$handler-$i")" & pids+=($!); done
    wait "${pids[@]}"
    t2=$(ns_now)
    echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))"
}

# Median and best in ms of VM_N rounds on handler mogu-vm: pod start to the first container's
# output, a second container of the running pod to its output, teardown of both and the pod.
vm_serial() {
    local i t0 t1 t2 t3 pod f id starts=() seconds=() downs=()
    for i in $(seq "$VM_N"); do
        t0=$(ns_now)
        pod=$(pod_up mogu-vm "v-$i" 1)
        t1=$(ns_now)
        f=$(ctr_json "v-$i-2" 'echo up; exec sleep 600')
        id=$(cri_ create "$pod" "$f" "$BATS_TEST_TMPDIR/v-$i-pod.json")
        cri_ start "$id" >/dev/null
        wait_log "$BATS_TEST_TMPDIR/logs-v-$i/v-$i-2.log"
        t2=$(ns_now)
        pod_down "$pod"
        t3=$(ns_now)
        starts+=($(( (t1 - t0) / 1000000 )))
        seconds+=($(( (t2 - t1) / 1000000 )))
        downs+=($(( (t3 - t2) / 1000000 )))
    done
    echo "$(median "${starts[@]}") $(median "${seconds[@]}") $(median "${downs[@]}")"
}

# A warm-up pod each: image unpacking, CNI's first run and the page cache favour none.
for h in mogu runc; do pod_down "$(pod_up "$h" "warm-$h" 1)"; done

read -r m_start m_start_best m_down m_down_best < <(serial mogu)
read -r r_start r_start_best r_down r_down_best < <(serial runc)
read -r m_pstart m_pdown < <(parallel mogu)
read -r r_pstart r_pdown < <(parallel runc)
vm=
if (( VM_N > 0 )) && [[ -x $MOGU_BIN/containerd-shim-mogu-vm-v2 ]]; then
    pod_down "$(pod_up mogu-vm warm-vm 1)"
    read -r v_start v_start_best v_second v_second_best v_down v_down_best < <(vm_serial)
    vm=1
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
echo "CRI pod lifecycle, containerd $(containerd --version | awk '{print $3}'), N=$N (median, best in ms), P=$P pods x 2 containers"
printf '%-44s %12s %12s %8s\n' "" "mogu" "runc" "mogu/runc"
printf '%-44s %12s %12s %8s\n' "pod start to first output (median)" "$m_start" "$r_start" "$(ratio "$m_start" "$r_start")"
printf '%-44s %12s %12s %8s\n' "pod start to first output (best)" "$m_start_best" "$r_start_best" "$(ratio "$m_start_best" "$r_start_best")"
printf '%-44s %12s %12s %8s\n' "stop + remove container and pod (median)" "$m_down" "$r_down" "$(ratio "$m_down" "$r_down")"
printf '%-44s %12s %12s %8s\n' "$P pods x 2 containers started at once (wall)" "$m_pstart" "$r_pstart" "$(ratio "$m_pstart" "$r_pstart")"
printf '%-44s %12s %12s %8s\n' "$P pods torn down at once (wall)" "$m_pdown" "$r_pdown" "$(ratio "$m_pdown" "$r_pdown")"
if [[ -n $vm ]]; then
    accel=$(cat "${MOGU_VM_CACHE:-/var/tmp/mogu-vm}"/kvm-probe-* 2>/dev/null | sort -u | head -1 || true)
    echo
    echo "handler mogu-vm: one micro-VM per pod (${accel:-tcg} here), VM_N=$VM_N (median, best in ms)"
    printf '%-44s %12s %12s %8s\n' "" "mogu-vm" "runc" "vm/runc"
    printf '%-44s %12s %12s %8s\n' "pod start to first output (median)" "$v_start" "$r_start" "$(ratio "$v_start" "$r_start")"
    printf '%-44s %12s %12s %8s\n' "pod start to first output (best)" "$v_start_best" "$r_start_best" "$(ratio "$v_start_best" "$r_start_best")"
    printf '%-44s %12s\n' "2nd container of the pod to output (median)" "$v_second"
    printf '%-44s %12s\n' "2nd container of the pod to output (best)" "$v_second_best"
    printf '%-44s %12s %12s %8s\n' "stop + remove 2 containers and pod (median)" "$v_down" "$r_down" "$(ratio "$v_down" "$r_down")"
fi
