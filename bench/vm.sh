#!/bin/bash
# mogu-vm: boot-to-workload time (from `create` to the container process's first output) and
# the host memory one VM costs (QEMU's RSS, the keeper's), on the accelerator actually used,
# which is named. Beside it, the same bundle without a VM (mogu, namespaces only) for scale.
#   N=5 bench/vm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/build/bin}
BATS_TEST_DIRNAME=$PWD/tests/integration
source tests/integration/kvm_lib.bash
N=${N:-5}
why=$(kvm_missing)
[[ -z $why ]] || { echo "skip: $why"; exit 0; }
kvm_setup_dirs
trap kvm_teardown_dirs EXIT

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
median_best() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)], v[1]}'; }

# One container: create (boots the VM), start, and wait for the first byte of output.
# Prints: create→first output ms, create ms, guest boot ms (QEMU start → agent, from the log).
first_output() {
    local bundle=$1 id=$2 t0 t1 t2
    : >"$KVM_TMP/$id.out"
    t0=$(ms_now)
    vm --log "$KVM_TMP/$id.log" --log-format json create --bundle "$bundle" "$id" </dev/null >"$KVM_TMP/$id.out" 2>/dev/null 3>&-
    t1=$(ms_now)
    vm start "$id"
    while [[ ! -s $KVM_TMP/$id.out ]]; do sleep 0.005; done
    t2=$(ms_now)
    local boot
    boot=$(grep -o 'booted on [a-z]* in [0-9]* ms' "$KVM_TMP/$id.log" | awk '{print $5}')
    vm delete --force "$id"
    echo "$((t2 - t0)) $((t1 - t0)) ${boot:-0}"
}

make_vm_bundle "$KVM_TMP/block"
set_vm_args "$KVM_TMP/block" sh -c 'echo ready; sleep 600'
make_vm_bundle "$KVM_TMP/ninep" '.annotations["io.mogu.vm.rootfs"] = "9p"'
set_vm_args "$KVM_TMP/ninep" sh -c 'echo ready; sleep 600'

# One warm-up: the kernel extraction, initramfs and KVM verdict are cached once per machine.
first_output "$KVM_TMP/block" warm >/dev/null
accel=$(grep -o 'booted on [a-z]*' "$KVM_TMP/warm.log" | awk '{print $3}')

declare -A total create boot
for mode in block ninep; do
    : >"$KVM_TMP/t.$mode"; : >"$KVM_TMP/c.$mode"; : >"$KVM_TMP/b.$mode"
    for i in $(seq "$N"); do
        read -r t c b < <(first_output "$KVM_TMP/$mode" "$mode$i")
        echo "$t" >>"$KVM_TMP/t.$mode"; echo "$c" >>"$KVM_TMP/c.$mode"; echo "$b" >>"$KVM_TMP/b.$mode"
    done
    total[$mode]=$(median_best <"$KVM_TMP/t.$mode")
    create[$mode]=$(median_best <"$KVM_TMP/c.$mode")
    boot[$mode]=$(median_best <"$KVM_TMP/b.$mode")
done

# The same workload without a VM: mogu's namespaces container (no annotation).
ns_total=""
if [[ -x $MOGU_BIN/mogu ]]; then
    make_vm_bundle "$KVM_TMP/nsbox" 'del(.annotations["io.mogu.isolation"])'
    set_vm_args "$KVM_TMP/nsbox" sh -c 'echo ready; sleep 600'
    : >"$KVM_TMP/t.ns"
    for i in $(seq "$N"); do
        : >"$KVM_TMP/ns.out"
        t0=$(ms_now)
        "$MOGU_BIN/mogu" --root "$ROOT" create --bundle "$KVM_TMP/nsbox" "ns$i" </dev/null >"$KVM_TMP/ns.out" 2>/dev/null 3>&-
        "$MOGU_BIN/mogu" --root "$ROOT" start "ns$i"
        while [[ ! -s $KVM_TMP/ns.out ]]; do sleep 0.005; done
        echo $(( $(ms_now) - t0 )) >>"$KVM_TMP/t.ns"
        "$MOGU_BIN/mogu" --root "$ROOT" delete --force "ns$i"
    done
    ns_total=$(median_best <"$KVM_TMP/t.ns")
fi

# Host memory of one idle VM container (256 MiB guest, block rootfs), after its boot settled.
vm create --bundle "$KVM_TMP/block" idle </dev/null >/dev/null 2>&1 3>&-
vm start idle
sleep 3
qemu=$(pgrep -f "qemu-system.*$ROOT/idle/")
keeper=$(jq -r .pid <<<"$(vm state idle)")
rss() { awk -v k="$2" '$1 == k":" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
qemu_rss=$(rss "$qemu" VmRSS) qemu_anon=$(rss "$qemu" RssAnon) qemu_file=$(rss "$qemu" RssFile) keeper_rss=$(rss "$keeper" VmRSS)
guest_mib=$(jq -r '.annotations["io.mogu.vm.memory-mib"]' <<<"$(vm state idle)")
vm delete --force idle

case $accel in
    tcg) accel_text="TCG (software emulation: KVM cannot boot the guest kernel on this machine)" ;;
    kvm) accel_text="KVM" ;;
    *) accel_text=$accel ;;
esac
echo "accelerator: $accel_text; guest kernel $("$MOGU_VM" kernel | awk '/^version/ {print $2}'); $(nproc) host CPUs; N=$N, median (best) in ms"
printf '%-46s %10s %10s %10s\n' "" "block" "9p" "no VM"
row() { printf '%-46s %10s %10s %10s\n' "$1" "$2" "$3" "$4"; }
fmt() { [[ -n $1 ]] && awk '{printf "%d (%d)", $1, $2}' <<<"$1" || echo "-"; }
row "create -> first output of the process" "$(fmt "${total[block]}")" "$(fmt "${total[ninep]}")" "$(fmt "$ns_total")"
row "  of which create (boot + container set-up)" "$(fmt "${create[block]}")" "$(fmt "${create[ninep]}")" ""
row "  of which guest boot (QEMU start -> agent)" "$(fmt "${boot[block]}")" "$(fmt "${boot[ninep]}")" ""
echo "host memory of one idle VM ($guest_mib MiB guest, $accel): QEMU RSS $qemu_rss MiB = $qemu_anon MiB private"\
     "(guest RAM the guest touched$([[ $accel == tcg ]] && echo ", TCG's translated code")) + $qemu_file MiB of files"\
     "(QEMU, the kernel and initramfs: page cache shared by every VM); keeper RSS $keeper_rss MiB"
