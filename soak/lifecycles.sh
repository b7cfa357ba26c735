#!/bin/bash
# make soak, part 2: lifecycles repeated until a leak would show.
#   A  SOAK_RUNS (10,000) `mogu run` of /bin/true, straight from the runtime
#   B  SOAK_CTR_RUNS (2,000) `ctr run --rm` through containerd and the mogu shim
#   C  SOAK_EXECS (5,000) `ctr task exec` into one long-running container
# Every SOAK_EVERY (500) iterations soak_sample (soak/lib.sh) writes one CSV line of what could
# leak; the phase fails when its last line holds more than its first checkpoint. Output: the CSV
# on stdout (and in $SOAK_OUT/lifecycles.csv), a verdict per phase on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/build/bin}
source soak/lib.sh
source tests/integration/lib/containerd.bash
RUNS=${SOAK_RUNS:-10000} CTR_RUNS=${SOAK_CTR_RUNS:-2000} EXECS=${SOAK_EXECS:-5000} EVERY=${SOAK_EVERY:-500}
OUT=${SOAK_OUT:-$PWD/build/soak}
mkdir -p "$OUT"
CSV=$OUT/lifecycles.csv
MOGU=$MOGU_BIN/mogu
ROOTFS=$MOGU_SRC/tests/fixtures/out/rootfs
[[ -x $MOGU && -x $ROOTFS/bin/busybox ]] || { echo "soak: needs make all fixtures" >&2; exit 1; }
if why=$(containerd_missing); then echo "soak: $why" >&2; exit 1; fi

WORK=$(mktemp -d /tmp/mogu-soak.XXXXXX)
CTD_NS=mogu-soak
cleanup() {
    stop_containerd
    for id in $("$MOGU" --root "$WORK/state" list -q 2>/dev/null); do "$MOGU" --root "$WORK/state" delete --force "$id" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
    remove_cgroup_parent /mogu-soak
}
trap cleanup EXIT

echo "$SOAK_COLUMNS" | tee "$CSV"
sample() { soak_sample "$@" | tee -a "$CSV"; }
status=0
verdict() {
    if soak_check "$CSV" "$1" >&2; then echo "soak: $1: nothing grew" >&2; else status=1; fi
}

# A: mogu run, one bundle, a new id each time.
mkdir -p "$WORK/bundle" && ln -s "$ROOTFS" "$WORK/bundle/rootfs"
(cd "$WORK/bundle" && "$MOGU" spec)
jq '.process.terminal = false | .process.args = ["/bin/true"] | .linux.cgroupsPath = "/mogu-soak/run"' \
    "$WORK/bundle/config.json" >"$WORK/bundle/c.json" && mv "$WORK/bundle/c.json" "$WORK/bundle/config.json"
sample run 0 "$WORK/state"
t0=$(date +%s%N)
for i in $(seq "$RUNS"); do
    "$MOGU" --root "$WORK/state" run --bundle "$WORK/bundle" "soak-$i" </dev/null >/dev/null
    (( i % EVERY )) || sample run "$i" "$WORK/state"
done
echo "soak: run: $RUNS lifecycles in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
verdict run

# B: ctr run --rm through the mogu shim; containerd is the long-lived process.
start_containerd
STATE=$(runtime_root)
# This containerd is new: containers in its namespace's runtime root are an earlier, cut-off
# run's (their shims gone), and one of their ids would collide.
for id in $("$MOGU" --root "$STATE" list -q 2>/dev/null); do
    echo "soak: removing $id, left in $STATE by an earlier run" >&2
    "$MOGU" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
done
sample ctr 0 "$STATE" "$CTD_PID"
t0=$(date +%s%N)
for i in $(seq "$CTR_RUNS"); do
    ctr_ run --rm --runtime io.containerd.mogu.v2 "$CTD_IMAGE" "soak-$i" /bin/true </dev/null >/dev/null
    (( i % EVERY )) || sample ctr "$i" "$STATE" "$CTD_PID"
done
echo "soak: ctr: $CTR_RUNS lifecycles in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
verdict ctr

# C: execs into one container; its shim is long-lived too.
ctr_ run -d --runtime io.containerd.mogu.v2 "$CTD_IMAGE" soak-exec /bin/sleep 1000000 </dev/null >/dev/null
wait_task_state soak-exec RUNNING
SHIM=$(cat "$CTD_DIR/state/io.containerd.runtime.v2.task/$CTD_NS/soak-exec/shim.pid")
sample exec 0 "$STATE" "$CTD_PID" "$SHIM"
t0=$(date +%s%N)
for i in $(seq "$EXECS"); do
    ctr_ task exec --exec-id "e$i" soak-exec /bin/true </dev/null >/dev/null
    (( i % EVERY )) || sample exec "$i" "$STATE" "$CTD_PID" "$SHIM"
done
echo "soak: exec: $EXECS execs in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
verdict exec
exit $status
