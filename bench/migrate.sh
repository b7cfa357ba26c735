#!/bin/bash
# Live migration: mogu migrate (pre-copy, post-copy restore; and with --no-post-copy) against runc's stop-and-copy (runc checkpoint + copy
# of the images + runc restore), with the same criu, of a container whose process holds SIZE MiB
# and keeps dirtying RATE MiB of it per second (tests/integration/helpers/dirtier.c). Pre-copy
# needs the kernel's soft-dirty bits, which this host's kernel lacks: both run in one guest
# booting Debian's kernel (tests/vm/run-in-guest), on 127.0.0.1 there (bench/migrate-in-guest).
#   SIZES="64 512" RATE=8 bench/migrate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD BUILD=${BUILD:-build}
export MOGU_BIN=${MOGU_BIN:-$PWD/$BUILD/bin}
export SIZES=${SIZES:-64 512} RATE=${RATE:-8}
CRIU=${MOGU_CRIU:-/opt/mogu/criu/sbin/criu}

why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu ]] && why="$MOGU_BIN/mogu is not built"
[[ -z $why && ! -x $CRIU ]] && why="criu 4.1 is not built at $CRIU (make deps)"
[[ -z $why ]] && ! command -v runc >/dev/null && why="runc is not installed (apt-get install runc)"
[[ -z $why && ! -x $BUILD/tests/tools/mogu-dirtier ]] && why="$BUILD/tests/tools/mogu-dirtier is not built (make fixtures)"
[[ -z $why && ! -x tests/fixtures/out/rootfs/bin/busybox ]] && why="the fixture rootfs is not built (make fixtures)"
if [[ -z $why ]]; then
    kernel_config=$(ls /boot/config-* 2>/dev/null | sort -V | tail -n 1)
    [[ -n $kernel_config ]] && ! grep -q '^CONFIG_MEM_SOFT_DIRTY=y' "$kernel_config" && why="the guest kernel has no CONFIG_MEM_SOFT_DIRTY"
fi
[[ -z $why ]] || { echo "skip: $why"; exit 0; }

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
largest=$(tr ' ' '\n' <<<"$SIZES" | sort -n | tail -n 1)
# The source's frozen container, the target's restored one and the images (tmpfs) of the largest
# size at once, and the guest's own.
mem=$(( largest * 4 + 1024 ))
if ! tests/vm/run-in-guest --cgroup v2 --mem "$mem" --timeout 3000 -- bench/migrate-in-guest "$CRIU" >"$out" 2>"$err"; then
    echo "the guest run failed:"
    tail -n 30 "$err"
    cat "$out"
    exit 1
fi
grep '^# ' "$out" || true
echo "live migration, same criu ($("$CRIU" --version | head -n 1)), TCG guest (Debian's kernel), 127.0.0.1, dirtying $RATE MiB/s"
echo "mogu: pre-copy, the target running it post-copy; 'no post-copy': the same with --no-post-copy"
printf '%-6s %14s %14s %10s %24s %18s %12s\n' "MiB" "mogu freeze s" "mogu total s" "pre-dumps" "no post-copy freeze s" "runc downtime s" "freeze/runc"
awk '$1 == "result" {r = ($7 > 0) ? sprintf("%.2f", $3 / $7) : "-"; pc = ($9 == "true") ? "" : " (no post-copy here)"
     printf "%-6s %14.2f %14.2f %10s %24.2f %18s %12s%s\n", $2, $3, $4, $5, $8, $7, r, pc}' "$out"
