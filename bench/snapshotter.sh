#!/bin/bash
# make bench: mogu-snapshotter vs containerd's built-in devmapper snapshotter, in a guest (this
# host has no device-mapper), on pools of the same size. See bench/snapshotter/guest.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
image=$PWD/tests/fixtures/out/images/busybox.oci.tar
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-snapshotter ]] && why="$MOGU_BIN/mogu-snapshotter is not built"
[[ -z $why && ! -r $image ]] && why="$image is missing (make fixtures)"
[[ -z $why ]] && ! command -v dmsetup >/dev/null && why="dmsetup (containerd's devmapper snapshotter needs it) is missing"
if [[ -n $why ]]; then echo "snapshotter bench skipped: $why"; exit 0; fi
exec tests/vm/run-in-guest --disk data1:2G --disk meta1:64M --disk data2:2G --disk meta2:64M --mem 1536 \
    --timeout 1200 -- bash bench/snapshotter/guest.sh "$image"
