#!/usr/bin/env bats
# mogu-vm end to end on this machine's accelerator (TCG here: KVM cannot boot a stock kernel
# under nested PVM). One long-lived VM container serves the checks that need a running one;
# the others boot their own. Each boot is seconds under TCG: boot as few as possible.

load kvm_lib
load lib/monitor

setup_file() {
    export KVM_SKIP
    KVM_SKIP=$(kvm_missing)
    [[ -n $KVM_SKIP ]] && return 0
    kvm_setup_dirs
    # 2 vCPUs from the CPU quota (capped at the host's), 200 MiB for the container.
    make_vm_bundle "$KVM_TMP/shared" '.linux.resources = {"memory": {"limit": 209715200}, "cpu": {"quota": 200000, "period": 100000}}'
    set_vm_args "$KVM_TMP/shared" sh -c 'echo started; trap "echo got TERM; exit 7" TERM; while :; do sleep 0.1; done'
    vm_create_reaped shared "$KVM_TMP/shared"
    vm start shared
}

teardown_file() {
    [[ -n ${KVM_SKIP:-} ]] && return 0
    kvm_teardown_dirs
}

setup() {
    [[ -z $KVM_SKIP ]] || skip "$KVM_SKIP"
}

teardown() {
    [[ -n ${MON_PID:-} ]] && { kill "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null || true; }
    return 0
}

@test "create boots a VM, names its accelerator in state and log, warns once when it is TCG" {
    run vm state shared
    [ "$status" -eq 0 ]
    accel=$(jq -r '.annotations["io.mogu.vm.accel"]' <<<"$output")
    [[ $accel == tcg || $accel == kvm ]]
    [ "$(jq -r .status <<<"$output")" = running ]
    [ "$(jq -r .pid <<<"$output")" = "$(cat "$KVM_TMP/shared.pid")" ]
    [ "$(jq -r '.annotations["io.mogu.vm.machine"]' <<<"$output")" = microvm ]
    [ "$(jq -r '.annotations["io.mogu.vm.vcpus"]' <<<"$output")" = "$(( $(nproc) < 2 ? $(nproc) : 2 ))" ]
    grep -q "booted on $accel" "$KVM_TMP/shared.log"
    if [[ $accel == tcg ]]; then
        [ "$(grep -c 'level":"warning.*TCG' "$KVM_TMP/shared.log")" -eq 1 ]
    fi
    # With --log, nothing of mogu-vm's goes to create's stderr: that is the container's.
    [ ! -s "$KVM_TMP/shared.err" ]
}

@test "the keeper and QEMU sit in the container's cgroup on the host" {
    keeper=$(cat "$KVM_TMP/shared.pid")
    qemu=$(pgrep -f "qemu-system.*$ROOT/shared/")
    found=0
    for d in $(kvm_cgroup_dirs shared); do
        [[ -f $d/cgroup.procs ]] || continue
        grep -qx "$keeper" "$d/cgroup.procs"
        grep -qx "$qemu" "$d/cgroup.procs"
        found=1
    done
    [ "$found" -eq 1 ]
}

@test "mogu-monitor reads a VM container from its VM's host cgroup, with what the VM was given" {
    TEST_TMP=$KVM_TMP
    printf 'listen = "127.0.0.1:0"\ninterval = "200ms"\n[containers]\nroots = ["%s"]\n' "$ROOT" >"$TEST_TMP/monitor.toml"
    launch_monitor
    wait_until 10 "scrape | grep -q 'name=\"shared\"'"
    # The host cgroup holds QEMU: its memory is the guest's RAM as far as touched, tens of MiB.
    local d usage=""
    for d in $(kvm_cgroup_dirs shared); do
        [[ -f $d/memory.usage_in_bytes ]] && usage=$(cat "$d/memory.usage_in_bytes")
        [[ -f $d/memory.current ]] && usage=$(cat "$d/memory.current")
    done
    local metric
    metric=$(metric_value container_memory_usage_bytes 'name="shared"')
    echo "cgroup $usage, metric $metric"
    (( metric > 16 << 20 && metric > usage / 2 && metric < usage * 2 ))
    (( $(metric_value container_cpu_usage_seconds_total 'name="shared"' | cut -d. -f1) >= 1 ))
    [ "$(metric_value mogu_container_vm_cpus 'name="shared"')" = "$(jq .vcpus "$ROOT/shared/vm.json")" ]
    [ "$(metric_value mogu_container_vm_memory_bytes 'name="shared"')" = "$(( $(jq .memory_mib "$ROOT/shared/vm.json") << 20 ))" ]
    metric_value mogu_container_vm_info 'name="shared"' "accel=\"$(jq -r .accel "$ROOT/shared/vm.json")\""
    # cAdvisor's id label: the cgroup the VM's keeper made on the host.
    scrape | grep -q "^container_memory_usage_bytes{id=\"$KVM_CGROUP_PARENT/shared\",name=\"shared\","
}

@test "the container's output reaches the stdout create was given" {
    wait_for 20 grep -q '^started$' "$KVM_TMP/shared.out"
}

@test "uname -r in the VM is the guest kernel's, not the host's" {
    run vm exec shared uname -r
    [ "$status" -eq 0 ]
    guest_kernel=$("$MOGU_VM" kernel | awk '/^version/ {print $2}')
    [ "$output" = "$guest_kernel" ]
    [ "$output" != "$(uname -r)" ]
}

@test "/proc/cpuinfo and memory in the guest follow the spec's limits" {
    run vm exec shared sh -c 'grep -c ^processor /proc/cpuinfo; awk "/MemTotal/ {print \$2}" /proc/meminfo; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max'
    [ "$status" -eq 0 ]
    echo "$output"
    [ "${lines[0]}" -eq "$(( $(nproc) < 2 ? $(nproc) : 2 ))" ]
    # The VM has the limit plus the guest's overhead (128 MiB); the kernel keeps some for itself.
    (( lines[1] > 200 * 1024 && lines[1] <= (200 + 128) * 1024 ))
    [ "${lines[2]}" = 209715200 ]
    [ "${lines[3]}" = "200000 100000" ]
}

@test "exec returns the process's stdout, stderr and exit code" {
    echo '{"args": ["sh", "-c", "echo to-out; echo to-err >&2; read line; echo got $line; exit 5"], "cwd": "/tmp", "env": ["PATH=/bin"], "user": {"uid": 1000, "gid": 1000}}' >"$KVM_TMP/p.json"
    vm exec --process "$KVM_TMP/p.json" shared <<<"typed" >"$KVM_TMP/exec.out" 2>"$KVM_TMP/exec.err" || rc=$?
    [ "${rc:-0}" -eq 5 ]
    [ "$(cat "$KVM_TMP/exec.out")" = "$(printf 'to-out\ngot typed')" ]
    [ "$(cat "$KVM_TMP/exec.err")" = to-err ]
}

@test "exec runs with the process's user, cwd and env" {
    echo '{"args": ["sh", "-c", "id -u; id -g; pwd; echo $GREETING"], "cwd": "/tmp", "env": ["PATH=/bin", "GREETING=hi"], "user": {"uid": 1000, "gid": 1001}}' >"$KVM_TMP/p2.json"
    run vm exec --process "$KVM_TMP/p2.json" shared
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf '1000\n1001\n/tmp\nhi')" ]
}

@test "exec --detach leaves a host process that exits with the exec'd process's code" {
    echo '{"args": ["sh", "-c", "sleep 1; echo detached; exit 4"], "cwd": "/", "env": ["PATH=/bin"]}' >"$KVM_TMP/p3.json"
    python3 "$KVM_HELPERS/kvm_reaper.py" "$KVM_TMP/x.pid" "$KVM_TMP/x.status" -- \
        "$MOGU_VM" --root "$ROOT" exec --detach --pid-file "$KVM_TMP/x.pid" --process "$KVM_TMP/p3.json" shared \
        </dev/null >"$KVM_TMP/x.out" 2>&1 3>&-
    [ "$(cat "$KVM_TMP/x.status")" = "exit 4" ]
    [ "$(cat "$KVM_TMP/x.out")" = detached ]
}

@test "ps lists the container's processes in the guest" {
    # The shell and, most of the time, its `sleep 0.1`: a few tries catch the moment both live.
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        run vm ps --format json shared
        [ "$status" -eq 0 ]
        (( $(jq length <<<"$output") >= 2 )) && break
    done
    (( $(jq length <<<"$output") >= 2 ))
}

@test "pause, resume and update act on the container's cgroup in the guest" {
    vm pause shared
    [ "$(vm state shared | jq -r .status)" = paused ]
    vm resume shared
    [ "$(vm state shared | jq -r .status)" = running ]
    echo '{"memory": {"limit": 104857600}}' | vm update --resources - shared
    [ "$(vm exec shared cat /sys/fs/cgroup/memory.max)" = 104857600 ]
}

@test "kill delivers the signal to the container's process, and the keeper exits with its code" {
    vm kill shared TERM
    wait_for 30 test -s "$KVM_TMP/shared.status"
    [ "$(cat "$KVM_TMP/shared.status")" = "exit 7" ]
    grep -q '^got TERM$' "$KVM_TMP/shared.out"
    run vm state shared
    [ "$(jq -r .status <<<"$output")" = stopped ]
    # The VM powered itself off with the container: no QEMU is left even before delete.
    [ -z "$(pgrep -f "qemu-system.*$ROOT/shared/")" ]
}

@test "delete leaves no keeper, QEMU, disk image, socket or state" {
    vm delete shared
    assert_nothing_left shared
    run vm state shared
    [ "$status" -eq 1 ]
    [[ $output == *"container shared does not exist"* ]]
}

@test "run on a 9p rootfs prints the output, returns the exit code and cleans up" {
    make_vm_bundle "$KVM_TMP/ninep" '.annotations["io.mogu.vm.rootfs"] = "9p"'
    set_vm_args "$KVM_TMP/ninep" sh -c 'grep " / " /proc/mounts | cut -d" " -f3; hostname; echo hello; exit 3'
    vm run --bundle "$KVM_TMP/ninep" ninep </dev/null >"$KVM_TMP/r9.out" 2>"$KVM_TMP/r9.err" || rc=$?
    [ "${rc:-0}" -eq 3 ]
    [ "$(cat "$KVM_TMP/r9.out")" = "$(printf '9p\nvmbox\nhello')" ]
    # Without --log, a TCG fallback is one warning line on stderr.
    if grep -q 'booted on tcg' "$KVM_TMP/r9.err"; then
        [ "$(grep -ci 'warning.*TCG' "$KVM_TMP/r9.err")" -eq 1 ]
    fi
    assert_nothing_left ninep
}

@test "with a QEMU that has no microvm, the VM boots on q35 with the same devices on PCI" {
    cat >"$KVM_TMP/qemu-no-microvm" <<'SH'
#!/bin/sh
for a in "$@"; do case $a in microvm*) echo "qemu-system-x86_64: -M $a: unsupported machine type" >&2; exit 1;; esac; done
exec qemu-system-x86_64 "$@"
SH
    chmod +x "$KVM_TMP/qemu-no-microvm"
    make_vm_bundle "$KVM_TMP/q35"
    set_vm_args "$KVM_TMP/q35" sh -c 'ls /sys/bus/pci/devices | grep -c .; uname -r'
    MOGU_VM_QEMU=$KVM_TMP/qemu-no-microvm vm run --bundle "$KVM_TMP/q35" q35 </dev/null >"$KVM_TMP/q35.out" 2>"$KVM_TMP/q35.err"
    cat "$KVM_TMP/q35.out" "$KVM_TMP/q35.err"
    (( $(head -1 "$KVM_TMP/q35.out") > 0 ))
    [ "$(sed -n 2p "$KVM_TMP/q35.out")" = "$("$MOGU_VM" kernel | awk '/^version/ {print $2}')" ]
    grep -q 'has no microvm machine; booting q35 instead' "$KVM_TMP/q35.err"
    grep -q 'booted on [a-z]* in [0-9]* ms (q35' "$KVM_TMP/q35.err"
    assert_nothing_left q35
}

@test "a terminal process gets a pty with the size the console's owner set" {
    make_vm_bundle "$KVM_TMP/tty" '.process.terminal = true'
    set_vm_args "$KVM_TMP/tty" sh -c 'stty size; tty; read x; echo "got $x"'
    python3 "$KVM_HELPERS/kvm_console.py" "$KVM_TMP/console.sock" "$KVM_TMP/tty.out" --rows 30 --cols 100 \
        --wait-for /dev/pts --input $'abc\n' >"$KVM_TMP/console.log" 2>&1 3>&- &
    wait_for 10 test -S "$KVM_TMP/console.sock"
    python3 "$KVM_HELPERS/kvm_reaper.py" "$KVM_TMP/tty.pid" "$KVM_TMP/tty.status" -- \
        "$MOGU_VM" --root "$ROOT" create --bundle "$KVM_TMP/tty" --console-socket "$KVM_TMP/console.sock" \
        --pid-file "$KVM_TMP/tty.pid" tty </dev/null >/dev/null 2>"$KVM_TMP/tty.err" 3>&- &
    wait_for 120 test -s "$KVM_TMP/tty.pid" -o -s "$KVM_TMP/tty.status"
    vm start tty
    wait_for 30 test -s "$KVM_TMP/tty.status"
    cat "$KVM_TMP/tty.out"
    [ "$(cat "$KVM_TMP/tty.status")" = "exit 0" ]
    grep -q '^30 100' "$KVM_TMP/tty.out"
    grep -q '^/dev/pts/0' "$KVM_TMP/tty.out"
    grep -q 'got abc' "$KVM_TMP/tty.out"
    vm delete tty
    assert_nothing_left tty
}

@test "when QEMU dies, the keeper exits 255 and says why, and delete cleans up" {
    make_vm_bundle "$KVM_TMP/crash"
    set_vm_args "$KVM_TMP/crash" sh -c 'while :; do sleep 1; done'
    vm_create_reaped crash "$KVM_TMP/crash"
    vm start crash
    qemu=$(pgrep -f "qemu-system.*$ROOT/crash/")
    [ -n "$qemu" ]
    kill -9 $qemu
    wait_for 20 test -s "$KVM_TMP/crash.status"
    [ "$(cat "$KVM_TMP/crash.status")" = "exit 255" ]
    grep -q 'the VM stopped before the container.s process exited: QEMU was killed by signal 9' "$KVM_TMP/crash.log"
    run vm state crash
    [ "$(jq -r .status <<<"$output")" = stopped ]
    vm delete crash
    assert_nothing_left crash
}

@test "an OOM kill in the guest is in exit.json and state, and mogu-monitor raises ContainerOOMKilled for it" {
    # The host's kernel log never shows a guest's OOM kill: the monitor learns it from the
    # container's exit record at its next collection.
    TEST_TMP=$KVM_TMP
    printf 'listen = "127.0.0.1:0"\ninterval = "200ms"\n[containers]\nroots = ["%s"]\n[alerts]\nlog = "%s"\n' \
        "$ROOT" "$KVM_TMP/alerts.jsonl" >"$TEST_TMP/monitor.toml"
    launch_monitor
    make_vm_bundle "$KVM_TMP/hog" '.linux.resources = {"memory": {"limit": 16777216}}'
    set_vm_args "$KVM_TMP/hog" tail /dev/zero
    vm_create_reaped hog "$KVM_TMP/hog"
    vm start hog
    wait_for 120 test -s "$KVM_TMP/hog.status"
    cat "$KVM_TMP/hog.status"
    [ "$(cat "$KVM_TMP/hog.status")" = "exit 137" ]
    cat "$ROOT/hog/exit.json"
    [ "$(jq -r '[.oom_killed, .oom_process] | @tsv' "$ROOT/hog/exit.json")" = $'true\ttail' ]
    (( $(jq .oom_pid "$ROOT/hog/exit.json") > 1 ))
    [ "$(vm state hog | jq -r '.annotations["io.mogu.vm.oom-killed"]')" = true ]
    wait_until 10 "grep -q '\"alertname\":\"ContainerOOMKilled\"' '$KVM_TMP/alerts.jsonl'"
    local alert
    alert=$(grep '"alertname":"ContainerOOMKilled"' "$KVM_TMP/alerts.jsonl")
    echo "$alert"
    [ "$(wc -l <<<"$alert")" -eq 1 ]
    [ "$(jq -r '[.status, .labels.name, .labels.id, .labels.process, .value] | @tsv' <<<"$alert")" = \
      "$(printf 'firing\thog\t%s/hog\ttail\t16777216' "$KVM_CGROUP_PARENT")" ]
    jq -r .summary <<<"$alert" | grep -q "container hog (micro-VM, host cgroup $KVM_CGROUP_PARENT/hog): process tail (pid [0-9]* in the VM) killed by the OOM killer in the guest; memory limit 16777216 bytes"
    # Collections go on while the record stays: raised once.
    sleep 1
    [ "$(grep -c '"alertname":"ContainerOOMKilled"' "$KVM_TMP/alerts.jsonl")" -eq 1 ]
    vm delete hog
    assert_nothing_left hog
}

@test "mogu runs a bundle annotated io.mogu.isolation=vm in a VM, verb for verb" {
    MOGU=$(dirname "$MOGU_VM")/mogu
    [[ -x $MOGU ]] || skip "mogu not built"
    make_vm_bundle "$KVM_TMP/viamogu"
    set_vm_args "$KVM_TMP/viamogu" sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
    python3 "$KVM_HELPERS/kvm_reaper.py" "$KVM_TMP/viamogu.pid" "$KVM_TMP/viamogu.status" -- \
        "$MOGU" --root "$ROOT" create --bundle "$KVM_TMP/viamogu" --pid-file "$KVM_TMP/viamogu.pid" viamogu \
        </dev/null >/dev/null 2>"$KVM_TMP/viamogu.err" 3>&- &
    wait_for 120 test -s "$KVM_TMP/viamogu.pid" -o -s "$KVM_TMP/viamogu.status"
    run "$MOGU" --root "$ROOT" state viamogu
    [ "$(jq -r .status <<<"$output")" = created ]
    [[ $(jq -r '.annotations["io.mogu.vm.accel"]' <<<"$output") =~ ^(tcg|kvm)$ ]]
    "$MOGU" --root "$ROOT" start viamogu
    run "$MOGU" --root "$ROOT" exec viamogu uname -r
    [ "$status" -eq 0 ]
    [ "$output" != "$(uname -r)" ]
    "$MOGU" --root "$ROOT" kill viamogu USR1
    wait_for 30 test -s "$KVM_TMP/viamogu.status"
    [ "$(cat "$KVM_TMP/viamogu.status")" = "exit 9" ]
    "$MOGU" --root "$ROOT" delete viamogu
    assert_nothing_left viamogu
}
