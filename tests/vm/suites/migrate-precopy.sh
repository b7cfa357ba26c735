#!/bin/bash
# Pre-copy live migration (mogu migrate) where it can run: this host's kernel lacks soft-dirty
# bits (CONFIG_MEM_SOFT_DIRTY), Debian's guest kernel has them. One boot of a pure cgroup v2
# guest runs the pre-copy test of tests/integration/migrate.bats (two mogu roots on 127.0.0.1
# in the guest, a container rewriting a few MiB and counting, rounds that shrink, the counter
# going on on the target) and reports it here, prefixed "guest:", with the rounds' figures.
# The same boot runs criu.bats' vfork test under the guest's cgroup v2 freezer, where a parent
# caught in vfork once made the final dump fail.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD
export MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
CRIU=${MOGU_CRIU:-/opt/mogu/criu/sbin/criu}
filter='pre-copy: rounds shrink|between vfork and exec'

why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu ]] && why="$MOGU_BIN/mogu is not built"
[[ -z $why && ! -x tests/fixtures/out/rootfs/bin/busybox ]] && why="the fixture rootfs is not built (make fixtures)"
[[ -z $why && ! -x $CRIU ]] && why="criu 4.1 is not built at $CRIU (make deps)"
if [[ -z $why ]]; then
    kernel_config=$(ls /boot/config-* 2>/dev/null | sort -V | tail -n 1)
    [[ -n $kernel_config ]] && ! grep -q '^CONFIG_MEM_SOFT_DIRTY=y' "$kernel_config" && why="the guest kernel ($kernel_config) has no CONFIG_MEM_SOFT_DIRTY"
fi
if [[ -n $why ]]; then
    tap_plan 1
    tap_skip_rest "$why"
    exit 0
fi

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
# The guest proves what the test needs first: criu from the host's /opt, and criu's word that
# this kernel tracks dirty memory. bats' own output (TAP, and the test's echo of mogu's JSON on
# failure) comes back on stdout.
tests/vm/run-in-guest --cgroup v2 --mem 1024 --timeout 900 -- bash -c '
    echo "guest: kernel $(uname -r), criu $('"$CRIU"' --version | head -n 1), mem_dirty_track: $('"$CRIU"' check --feature mem_dirty_track >/dev/null 2>&1 && echo yes || echo no)"
    bats --tap --filter "$0" "$@"' "$filter" tests/integration/migrate.bats tests/integration/criu.bats >"$out" 2>"$err"
rc=$?

planned=$(grep -c '^ok \|^not ok ' "$out")
tap_plan $(( planned + 1 + (planned == 0) ))
if grep -q '^guest: .*mem_dirty_track: yes' "$out"; then
    tap_ok "guest: criu sees dirty memory tracking ($(grep '^guest:' "$out" | cut -d' ' -f2-))"
else
    tap_not_ok "guest: criu sees dirty memory tracking" "$(grep '^guest:' "$out")" "$(tail -n 20 "$err")"
fi
tap_relay_bats guest "$out"
if (( planned == 0 )); then
    tap_not_ok "guest: the pre-copy test ran" "$(tail -n 25 "$err")"
elif (( rc != 0 && TAP_FAILED == 0 )); then
    tap_not_ok "guest: the guest run failed (exit $rc)" "$(tail -n 25 "$err")"
fi
# The rounds' figures (bytes of pages and seconds per round, freeze and total time), as measured.
grep '^# figures: ' "$out" || true
tap_done
