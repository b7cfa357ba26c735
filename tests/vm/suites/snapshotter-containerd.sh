#!/bin/bash
# containerd 1.6 with mogu-snapshotter as a proxy plugin, in a guest: import, run, and the
# snapshotter restarted under a running container. One boot.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh
export MOGU_SRC=$PWD MOGU_BIN=${MOGU_BIN:-$PWD/${BUILD:-build}/bin}
image=$PWD/tests/fixtures/out/images/busybox.oci.tar
why=$(vm_unavailable)
[[ -z $why && ! -x $MOGU_BIN/mogu-snapshotter ]] && why="$MOGU_BIN/mogu-snapshotter is not built"
[[ -z $why && ! -r $image ]] && why="$image is missing (make fixtures)"
[[ -z $why ]] && ! command -v containerd >/dev/null && why="containerd is not installed"
if [[ -n $why ]]; then tap_plan 9; tap_skip_rest "$why"; exit 0; fi
tests/vm/run-in-guest --disk data:2G --disk meta:64M --mem 1536 --timeout 900 -- \
    bash tests/vm/guest/snapshotter-containerd.sh "$image"
