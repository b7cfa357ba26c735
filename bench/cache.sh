#!/bin/bash
# make bench: random 4 KiB reads (fio) from a file on a thin snapshot of mogu-snapshotter's pool,
# over a slow origin (dm-delay), with the SSD cache tier under the pool and after detaching it,
# in one guest (this host has no device-mapper). See bench/cache/guest.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-snapshotter ]] && why="$MOGU_BIN/mogu-snapshotter is not built"
[[ -z $why ]] && ! command -v fio >/dev/null && why="fio is missing (make deps installs it)"
[[ -z $why ]] && ! command -v dmsetup >/dev/null && why="dmsetup is missing (make deps installs it)"
if [[ -n $why ]]; then echo "cache bench skipped: $why"; exit 0; fi
exec tests/vm/run-in-guest --disk data:1G --disk fast:256M --disk meta:64M --mem 1024 \
    --timeout 900 -- bash bench/cache/guest.sh
