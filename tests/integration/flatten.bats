#!/usr/bin/env bats
# mogu-flatten: the flattened image unpacks (umoci) to the same tree as the original, with one
# layer and honest metadata. Fixture images: tests/fixtures/images (make fixtures).

load ../fixtures/images/test-helpers

setup() { flatten_setup; }
teardown() { flatten_teardown; }

@test "flattening the rules image gives the tree umoci makes of the original" {
    run "$FLATTEN" "$FX/rules" "$W/out"
    [ "$status" -eq 0 ]
    [[ $output == *"layers: 4 -> 1"* ]]
    same_tree "$FX/rules:latest" "$W/out:latest"
}

@test "the flattened image has one layer whose digest, size and diff_id are true" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    m=$(manifest_of "$W/out")
    [ "$(jq '.layers | length' "$m")" -eq 1 ]
    layer=$(blob "$W/out" "$(jq -r '.layers[0].digest' "$m")")
    [ "sha256:$(sha256sum <"$layer" | cut -d' ' -f1)" = "$(jq -r '.layers[0].digest' "$m")" ]
    [ "$(stat -c %s "$layer")" -eq "$(jq '.layers[0].size' "$m")" ]
    [ "$(jq -r '.layers[0].mediaType' "$m")" = application/vnd.oci.image.layer.v1.tar+gzip ]
    c=$(config_of "$W/out")
    [ "sha256:$(sha256sum <"$c" | cut -d' ' -f1)" = "$(jq -r '.config.digest' "$m")" ]
    [ "$(jq '.rootfs.diff_ids | length' "$c")" -eq 1 ]
    [ "sha256:$(zcat "$layer" | sha256sum | cut -d' ' -f1)" = "$(jq -r '.rootfs.diff_ids[0]' "$c")" ]
    # index.json names the manifest by its true digest and size
    [ "sha256:$(sha256sum <"$m" | cut -d' ' -f1)" = "$(jq -r '.manifests[0].digest' "$W/out/index.json")" ]
    [ "$(stat -c %s "$m")" -eq "$(jq '.manifests[0].size' "$W/out/index.json")" ]
    [ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$W/out/index.json")" = latest ]
}

@test "the config keeps env, entrypoint, cmd, workingdir, user, ports, volumes and labels" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    for key in Env Entrypoint Cmd WorkingDir User ExposedPorts Volumes Labels StopSignal; do
        [ "$(jq -c ".config.$key" "$(config_of "$FX/rules")")" = "$(jq -c ".config.$key" "$(config_of "$W/out")")" ]
        [ "$(jq -c ".config.$key" "$(config_of "$W/out")")" != null ]
    done
    for key in architecture os author created; do
        [ "$(jq -c ".$key" "$(config_of "$FX/rules")")" = "$(jq -c ".$key" "$(config_of "$W/out")")" ]
    done
}

@test "history becomes one honest entry, or keeps the old ones as empty_layer with --keep-history" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    c=$(config_of "$W/out")
    [ "$(jq '.history | length' "$c")" -eq 1 ]
    [[ $(jq -r '.history[0].created_by' "$c") == "mogu-flatten: 4 layers squashed into one" ]]
    [ "$(jq -r '.history[0].empty_layer // false' "$c")" = false ]
    "$FLATTEN" -q --keep-history "$FX/rules" "$W/kept"
    c=$(config_of "$W/kept")
    old=$(jq '.history | length' "$(config_of "$FX/rules")")
    [ "$(jq '.history | length' "$c")" -eq $((old + 1)) ]
    [ "$(jq '[.history[:-1][] | select(.empty_layer == true)] | length' "$c")" -eq "$old" ]
    [ "$(jq '[.history[] | select(.empty_layer != true)] | length' "$c")" -eq 1 ]
}

@test "a full flatten writes no whiteout markers, and links after their targets" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    layer=$(blob "$W/out" "$(layer_digests "$W/out")")
    tar -tzf "$layer" >"$W/names"
    # (a "!" command does not fail a bats test unless it is the last one)
    [ "$(grep -c '\.wh\.' "$W/names")" -eq 0 ]
    # every hardlink's target is an earlier entry
    tar -tvzf "$layer" | awk '/ link to /{print}' >"$W/links"
    [ -s "$W/links" ]
    while read -r line; do
        name=$(sed -E 's/.* [0-9:]+ (.*) link to .*/\1/' <<<"$line")
        target=$(sed -E 's/.* link to (.*)/\1/' <<<"$line")
        tn=$(grep -nxF "$target" "$W/names" | head -1 | cut -d: -f1)
        ln=$(grep -nxF "$name" "$W/names" | head -1 | cut -d: -f1)
        [ -n "$tn" ]
        [ "$tn" -lt "$ln" ]
    done <"$W/links"
}

@test "hardlinks whose target changed or went away above keep the old content" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    umoci unpack --image "$W/out:latest" "$W/b" >/dev/null
    r=$W/b/rootfs
    [ "$(cat "$r/hl/link-to-changed")" = original-content ]
    [ "$(cat "$r/hl/target-changed")" = NEW-content ]
    [ "$(stat -c %i "$r/hl/link-to-changed")" != "$(stat -c %i "$r/hl/target-changed")" ]
    [ ! -e "$r/hl/target-deleted" ]
    [ "$(cat "$r/hl/link-to-deleted")" = deleted-target-content ]
    [ "$(stat -c %i "$r/hl/link-to-deleted")" = "$(stat -c %i "$r/hl/link2-to-deleted")" ]
    [ "$(cat "$r/l3/b")" = l3a ]
    [ "$(cat "$r/l3/a")" = l4a-replaced ]
    [ "$(cat "$r/l3/d")" = l3c ]
    # hl/stable, its same-layer link, a link from an upper layer, and a link to that link: one file
    [ "$(stat -c %h "$r/hl/stable")" -eq 4 ]
    [ "$(stat -c %i "$r/hl/chain")" = "$(stat -c %i "$r/hl/stable")" ]
}

@test "directories keep the highest layer's metadata; opaque and replaced paths follow the top" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    umoci unpack --image "$W/out:latest" "$W/b" >/dev/null
    r=$W/b/rootfs
    [ "$(stat -c %a "$r/etc")" = 751 ]
    [ "$(stat -c %a:%u "$r/opaque-dir")" = 750:2 ]
    [ "$(ls "$r/opaque-dir")" = new ]
    [ ! -e "$r/deleted-dir" ]
    [ ! -e "$r/deleted-file" ]
    [ -d "$r/replaced-by-dir" ]
    [ -f "$r/dir-replaced-by-file" ]
    [ "$(cat "$r/flip")" = flip-file-3 ]
    [ "$(ls "$r/flop")" = new ]
    [ "$(stat -c %a "$r/flop")" = 711 ]
    [ "$(readlink "$r/etc/localtime")" = /usr/share/zoneinfo/UTC ]
    [ "$(readlink "$r/usr/lib/libfoo.so")" = /usr/lib/libfoo.so.1 ]
    [ "$(stat -c %t:%T "$r/dev/null")" = 1:3 ]
    [ "$(stat -c %u:%g "$r/ids/huge")" = 3000000:3000001 ]
    [ "$(stat -c %a "$r/bin/su")" = 4755 ]
    getfattr --absolute-names -n security.capability -e hex "$r/xattr/cap" | grep -q 0x0100000200200000
}

@test "directories keep their own times in a Debian-like image whose layers skip unchanged parents" {
    "$FLATTEN" -q "$FX/dirtimes" "$W/out"
    same_tree "$FX/dirtimes:latest" "$W/out:latest"
    umoci unpack --image "$W/out:latest" "$W/b" >/dev/null
    r=$W/b/rootfs
    [ "$(stat -c %Y "$r/usr/share")" -eq 5000 ]
    [ "$(stat -c %Y "$r/usr/share/locale")" -eq 4000 ]
    [ "$(stat -c %Y "$r/usr/share/gdb/auto-load")" -eq 5000 ]
    [ "$(stat -c %Y "$r/var/lib/dpkg")" -eq 5000 ]
    [ "$(stat -c %Y "$r/usr/share/doc")" -eq 6000 ]
    for args in "--from 1" "--from 2" "--from 4" "--compression none --threads 1"; do
        rm -rf "$W/again"
        "$FLATTEN" -q $args "$FX/dirtimes" "$W/again"
        same_tree "$FX/dirtimes:latest" "$W/again:latest"
    done
}

@test "a Debian-like image flattens to the same bytes every time, whatever the thread count" {
    "$FLATTEN" -q --threads 1 "$FX/dirtimes" "$W/one"
    sleep 1  # nothing in the output may depend on when it was made
    "$FLATTEN" -q --threads 3 "$FX/dirtimes" "$W/three"
    diff -r "$W/one" "$W/three"
    "$FLATTEN" -q --from 2 --threads 1 "$FX/dirtimes.docker.tar" "$W/a.tar"
    "$FLATTEN" -q --from 2 --threads 2 "$FX/dirtimes.docker.tar" "$W/b.tar"
    cmp "$W/a.tar" "$W/b.tar"
}

@test "sparse files stay sparse in the new layer" {
    "$FLATTEN" -q "$FX/rules" "$W/out"
    layer=$(blob "$W/out" "$(layer_digests "$W/out")")
    # 10 MiB with two 4 KiB extents: stored as a pax sparse file, not 10 MiB of zeros
    [ "$(zcat "$layer" | wc -c)" -lt 1000000 ]
    zcat "$layer" | grep -aq 'GNU.sparse.major=1'
}

@test "whiteouts for paths no lower layer has (a rebased image) are dropped and counted" {
    make_image "$W/img" <<'L'
dir etc
file etc/keep content=k
---
whiteout never-was
whiteout etc/ghost
whiteout nowhere/ghost
dir new
whiteout new/ghost
file new/file content=n
---
file top content=t
L
    run "$FLATTEN" "$W/img" "$W/out"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"markers read, 0 kept, 4 whiteouts with nothing to hide"* ]]
    same_tree "$W/img:latest" "$W/out:latest"
    [ "$(tar -tzf "$(blob "$W/out" "$(layer_digests "$W/out")")" | grep -c '\.wh\.')" -eq 0 ]
    # with a kept base they hide nothing there either, so the squashed layer has none of them
    "$FLATTEN" -q --from 1 "$W/img" "$W/from1"
    mapfile -t layers < <(layer_digests "$W/from1")
    [ "$(tar -tzf "$(blob "$W/from1" "${layers[1]}")" | grep -c '\.wh\.')" -eq 0 ]
    same_tree "$W/img:latest" "$W/from1:latest"
}

@test "--from N keeps the lowest N layers byte for byte and squashes the rest" {
    for n in 1 2 3; do
        "$FLATTEN" -q --from $n "$FX/rules" "$W/from$n"
        mapfile -t before < <(layer_digests "$FX/rules")
        mapfile -t after < <(layer_digests "$W/from$n")
        [ "${#after[@]}" -eq $((n + 1)) ]
        for ((i = 0; i < n; i++)); do [ "${before[i]}" = "${after[i]}" ]; done
        c=$(config_of "$W/from$n")
        [ "$(jq -c ".rootfs.diff_ids[:$n]" "$c")" = "$(jq -c ".rootfs.diff_ids[:$n]" "$(config_of "$FX/rules")")" ]
        same_tree "$FX/rules:latest" "$W/from$n:latest"
    done
}

@test "--from keeps only the whiteouts that still hide something in the base" {
    "$FLATTEN" -q --from 1 "$FX/rules" "$W/out"
    mapfile -t layers < <(layer_digests "$W/out")
    tar -tzf "$(blob "$W/out" "${layers[1]}")" | grep '\.wh\.' | sort >"$W/markers"
    cat "$W/markers"
    grep -qx '.wh.deleted-dir' "$W/markers"
    grep -qx '.wh.deleted-file' "$W/markers"
    grep -qx 'hl/.wh.target-deleted' "$W/markers"
    grep -qx 'opaque-dir/.wh..wh..opq' "$W/markers"
    # l3/c came from a squashed layer: its whiteout hides nothing in the base
    ! grep -q 'l3/.wh.c' "$W/markers" || false
}

@test "docker-archive in, docker-archive out, and it unpacks to the same tree" {
    run "$FLATTEN" "$FX/rules.docker.tar" "$W/out.tar"
    [ "$status" -eq 0 ]
    tar -xOf "$W/out.tar" manifest.json >"$W/manifest.json"
    [ "$(jq '.[0].Layers | length' "$W/manifest.json")" -eq 1 ]
    [ "$(jq -r '.[0].RepoTags[0]' "$W/manifest.json")" = docker.io/mogu/rules:latest ]
    "$FLATTEN" -q --ref mogu/rules "$FX/rules.docker.tar" "$W/by-ref.tar"
    oci_from_docker "$FX/rules.docker.tar" "$W/orig"
    oci_from_docker "$W/out.tar" "$W/flat"
    same_tree "$W/orig:latest" "$W/flat:latest"
}

@test "OCI tar in gives an OCI tar out; --format and --output-type convert" {
    "$FLATTEN" -q "$FX/rules.oci.tar" "$W/out"
    [ -f "$W/out" ]
    tar -tf "$W/out" | grep -qx index.json
    tar -tf "$W/out" | grep -qx oci-layout
    mkdir "$W/x" && tar -C "$W/x" -xf "$W/out"
    same_tree "$FX/rules:latest" "$W/x:latest"
    "$FLATTEN" -q --format docker --output-type tar "$FX/rules" "$W/d"
    tar -tf "$W/d" | grep -qx manifest.json
    "$FLATTEN" -q --format oci --output-type dir "$FX/rules.docker.tar" "$W/o"
    [ -f "$W/o/index.json" ]
    [ -f "$W/o/oci-layout" ]
}

@test "the same input gives the same bytes, whatever the thread count" {
    for c in gzip zstd none; do
        "$FLATTEN" -q --compression $c --threads 1 "$FX/rules" "$W/$c-1"
        "$FLATTEN" -q --compression $c --threads 3 "$FX/rules" "$W/$c-3"
        diff -r "$W/$c-1" "$W/$c-3"
    done
    "$FLATTEN" -q "$FX/rules.oci.tar" "$W/a.tar"
    "$FLATTEN" -q "$FX/rules.oci.tar" "$W/b.tar"
    cmp "$W/a.tar" "$W/b.tar"
}

@test "zstd and uncompressed layers hold the same tar as the gzip one" {
    "$FLATTEN" -q "$FX/rules" "$W/gz"
    "$FLATTEN" -q --compression zstd "$FX/rules" "$W/zs"
    "$FLATTEN" -q --compression none "$FX/rules" "$W/no"
    gz=$(jq -r '.rootfs.diff_ids[0]' "$(config_of "$W/gz")")
    [ "$gz" = "$(jq -r '.rootfs.diff_ids[0]' "$(config_of "$W/zs")")" ]
    [ "$gz" = "$(jq -r '.rootfs.diff_ids[0]' "$(config_of "$W/no")")" ]
    m=$(manifest_of "$W/zs")
    [ "$(jq -r '.layers[0].mediaType' "$m")" = application/vnd.oci.image.layer.v1.tar+zstd ]
    zs=$(blob "$W/zs" "$(jq -r '.layers[0].digest' "$m")")
    [ "sha256:$(zstd -dc "$zs" | sha256sum | cut -d' ' -f1)" = "$gz" ]
    [ "$(jq -r '.layers[0].digest' "$(manifest_of "$W/no")")" = "$gz" ]
}

@test "--ref picks one image of several; without it the error lists them" {
    cp -a "$FX/rules" "$W/two"
    umoci tag --image "$W/two:latest" other
    run "$FLATTEN" "$W/two" "$W/out"
    [ "$status" -eq 1 ]
    [[ $output == *"2 images (latest, other); pick one with --ref"* ]]
    run "$FLATTEN" --ref nope "$W/two" "$W/out"
    [ "$status" -eq 1 ]
    [[ $output == *'no image named "nope"'* ]]
    "$FLATTEN" -q --ref other "$W/two" "$W/out"
    [ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$W/out/index.json")" = other ]
}

@test "the GNU-tar-made busybox image flattens to the same tree" {
    "$FLATTEN" -q "$FX/busybox" "$W/out"
    same_tree "$FX/busybox:latest" "$W/out:latest"
}
