#!/usr/bin/env bats
# The flattened image where it is used: containerd imports and unpacks it (a private containerd
# with its own root, state and socket, stopped at the end), docker load's form is complete, and
# the busybox image runs with mogu run.

load ../fixtures/images/test-helpers

setup_file() {
    [[ -x $MOGU_BIN/mogu-flatten && -f $MOGU_SRC/tests/fixtures/out/images/.built ]] || return 0
    command -v containerd >/dev/null && command -v ctr >/dev/null || return 0
    CTD=$BATS_FILE_TMPDIR/ctd
    mkdir -p "$CTD"
    cat >"$CTD/config.toml" <<TOML
version = 2
root = "$CTD/root"
state = "$CTD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTD/sock"
[ttrpc]
  address = "$CTD/sock.ttrpc"
# no garbage collection while the tests look at snapshots
[plugins."io.containerd.gc.v1.scheduler"]
  mutation_threshold = 1000000
  deletion_threshold = 0
  startup_delay = "1h"
TOML
    # The mogu shim (and the mogu runtime beside it) on containerd's PATH, for the run test.
    PATH="$MOGU_BIN:$PATH" containerd -c "$CTD/config.toml" >"$CTD/log" 2>&1 &
    echo $! >"$CTD/pid"
    for _ in $(seq 100); do [[ -S $CTD/sock ]] && break; sleep 0.1; done
}

teardown_file() {
    local ctd=$BATS_FILE_TMPDIR/ctd
    if [[ -f $ctd/pid ]]; then
        kill "$(cat "$ctd/pid")" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$(cat "$ctd/pid")" 2>/dev/null || break; sleep 0.1; done
    fi
    # The containers' cgroups were /flatten-test/<id> (containerd's namespace as the parent, as
    # with runc): the runtime removes each container's, the parent is the test's to remove.
    local m
    for m in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo | sort -u); do
        [[ -d $m/flatten-test ]] && rmdir "$m/flatten-test" 2>/dev/null
    done
    return 0
}

setup() { flatten_setup; }
teardown() { flatten_teardown; }

ctr_() { CONTAINERD_SNAPSHOTTER=native ctr --address "$BATS_FILE_TMPDIR/ctd/sock" -n flatten-test "$@"; }

need_containerd() {
    [[ -S $BATS_FILE_TMPDIR/ctd/sock ]] || skip "no private containerd (containerd/ctr missing or did not start)"
}

# chain_id DIFF_ID...: the key containerd gives the top snapshot of these layers
chain_id() {
    local chain=$1
    shift
    for d in "$@"; do chain="sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -d' ' -f1)"; done
    echo "$chain"
}

# ctr_tree CONFIG OUT [TREESUM_FLAG]: treesum (--mtime unless told) of the snapshot containerd
# unpacked for the image with this config (a read-only view of the native snapshotter: a plain
# directory). Directories' times are left out by default: containerd lets a layer's new child
# change a lower directory the layer has no entry for, as the rules fixture's layers are made.
ctr_tree() {
    mapfile -t ids < <(jq -r '.rootfs.diff_ids[]' "$1")
    local key=view-$RANDOM$RANDOM src
    src=$(ctr_ snapshots --snapshotter native view --mounts "$key" "$(chain_id "${ids[@]}")" | jq -r '.[0].Source')
    [[ -d $src && $src == "$BATS_FILE_TMPDIR"/ctd/root/* ]]
    "$TOOLS/mogu-treesum" "${3:---mtime}" "$src" >"$2"
    ctr_ snapshots --snapshotter native rm "$key"
}

@test "ctr images import unpacks the flattened OCI tar to the tree of the original" {
    need_containerd
    "$FLATTEN" -q "$FX/rules.oci.tar" "$W/flat.tar"
    ctr_ images import --snapshotter native --index-name flatten-test/orig "$FX/rules.oci.tar"
    ctr_ images import --snapshotter native --index-name flatten-test/flat "$W/flat.tar"
    ctr_ images ls -q | grep -qx flatten-test/flat
    ctr_tree "$(config_of "$FX/rules")" "$W/orig.txt"
    mkdir "$W/x" && tar -C "$W/x" -xf "$W/flat.tar"
    ctr_tree "$(config_of "$W/x")" "$W/flat.txt"
    diff -u "$W/orig.txt" "$W/flat.txt"
    # and containerd agrees with umoci about the flattened image, directories' times included
    tree_of "$W/x:latest" "$W/umoci.txt"
    ctr_tree "$(config_of "$W/x")" "$W/flat-dirs.txt" --dir-mtime
    diff -u "$W/umoci.txt" "$W/flat-dirs.txt"
}

@test "containerd unpacks the flattened Debian-like image with every directory's own time" {
    need_containerd
    "$FLATTEN" -q "$FX/dirtimes.oci.tar" "$W/flat.tar"
    ctr_ images import --snapshotter native --index-name flatten-test/dirtimes-flat "$W/flat.tar"
    mkdir "$W/x" && tar -C "$W/x" -xf "$W/flat.tar"
    ctr_tree "$(config_of "$W/x")" "$W/flat.txt" --dir-mtime
    tree_of "$FX/dirtimes:latest" "$W/orig-umoci.txt"
    diff -u "$W/orig-umoci.txt" "$W/flat.txt"
}

@test "ctr images import takes the flattened docker-archive, zstd layer too" {
    need_containerd
    "$FLATTEN" -q "$FX/rules.docker.tar" "$W/flat.tar"
    ctr_ images import --snapshotter native "$W/flat.tar"
    ctr_ images ls -q | grep -qx docker.io/mogu/rules:latest
    "$FLATTEN" -q --compression zstd --format oci "$FX/rules" "$W/zstd.tar"
    ctr_ images import --snapshotter native --index-name flatten-test/zstd "$W/zstd.tar"
    ctr_ images import --snapshotter native --index-name flatten-test/orig "$FX/rules.oci.tar"
    mkdir "$W/z" && tar -C "$W/z" -xf "$W/zstd.tar"
    ctr_tree "$(config_of "$W/z")" "$W/zstd.txt"
    ctr_tree "$(config_of "$FX/rules")" "$W/orig.txt"
    diff -u "$W/orig.txt" "$W/zstd.txt"
}

@test "the docker-archive output has what docker load reads" {
    "$FLATTEN" -q "$FX/rules.docker.tar" "$W/flat.tar"
    mkdir "$W/d" && tar -C "$W/d" -xf "$W/flat.tar"
    m=$W/d/manifest.json
    [ "$(jq 'length' "$m")" -eq 1 ]
    cfg=$W/d/$(jq -r '.[0].Config' "$m")
    [ -f "$cfg" ]
    [ "$(basename "$cfg")" = "$(sha256sum <"$cfg" | cut -d' ' -f1)" ]
    [ "$(jq -r '.[0].RepoTags[0]' "$m")" = docker.io/mogu/rules:latest ]
    mapfile -t layers < <(jq -r '.[0].Layers[]' "$m")
    [ "${#layers[@]}" -eq 1 ]
    [ "$(basename "${layers[0]}")" = "$(sha256sum <"$W/d/${layers[0]}" | cut -d' ' -f1)" ]
    # docker load checks each layer's uncompressed digest against the config
    [ "sha256:$(zcat "$W/d/${layers[0]}" | sha256sum | cut -d' ' -f1)" = "$(jq -r '.rootfs.diff_ids[0]' "$cfg")" ]
    [ "$(jq -c .config.Entrypoint "$cfg")" = '["/bin/sh"]' ]
}

@test "the flattened busybox image runs with mogu run" {
    [[ -x $MOGU_BIN/mogu ]] || skip "mogu not built ($MOGU_BIN/mogu)"
    "$FLATTEN" -q "$FX/busybox" "$W/out"
    umoci unpack --image "$W/out:latest" "$W/bundle" >/dev/null
    jq '.process.args = ["/usr/local/bin/hello"] | .process.terminal = false' "$W/bundle/config.json" >"$W/c"
    mv "$W/c" "$W/bundle/config.json"
    run timeout 60 "$MOGU_BIN/mogu" --root "$W/state" run --bundle "$W/bundle" "flatten-run-$$"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "mogu-flatten-run-ok flattened" ]
}

@test "the flattened busybox image runs through containerd with the mogu shim" {
    need_containerd
    [[ -x $MOGU_BIN/containerd-shim-mogu-v2 && -x $MOGU_BIN/mogu ]] || skip "the mogu shim or runtime is not built in $MOGU_BIN"
    "$FLATTEN" -q "$FX/busybox.oci.tar" "$W/flat.tar"
    ctr_ images import --snapshotter native --index-name flatten-test/busybox-flat "$W/flat.tar"
    run timeout 60 ctr --address "$BATS_FILE_TMPDIR/ctd/sock" -n flatten-test run --rm --snapshotter native \
        --runtime io.containerd.mogu.v2 flatten-test/busybox-flat "flat-run-$$" /usr/local/bin/hello
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "mogu-flatten-run-ok flattened" ]
}
