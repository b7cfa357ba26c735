#!/usr/bin/env bats
# mogu-flatten on broken input: one clear error naming the layer and entry (or file and JSON
# path), a non-zero exit, and nothing left where OUTPUT would have been.

load ../fixtures/images/test-helpers

setup() {
    flatten_setup
    cp -a "$FX/rules" "$W/img"
}
teardown() { flatten_teardown; }

# The blob of layer N (1 = lowest) of the copied image.
layer_blob() { blob "$W/img" "$(layer_digests "$W/img" | sed -n "${1}p")"; }

# fails_cleanly PATTERN...: mogu-flatten $W/img -> $W/out fails, prints every pattern, leaves nothing.
fails_cleanly() {
    run "$FLATTEN" "$W/img" "$W/out"
    echo "$output"
    [ "$status" -eq 1 ]
    for p in "$@"; do [[ $output == *"$p"* ]] || { echo "missing: $p"; return 1; }; done
    [ "$(grep -c . <<<"$output")" -eq 1 ]
    no_leftovers "$W" out
}

@test "a truncated gzip layer is named, and nothing is left behind" {
    b=$(layer_blob 1)
    chmod u+w "$b"
    truncate -s $(($(stat -c %s "$b") / 2)) "$b"
    fails_cleanly "layer 1 (sha256:" "corrupt or truncated compressed data"
}

@test "a damaged tar header names the layer and the entry before it" {
    b=$(layer_blob 1)
    zcat "$b" >"$W/l.tar"
    chmod u+w "$b"
    # the checksum field of the fourth header ("ustar" sits 257 bytes into each header)
    at=$(grep -abo ustar "$W/l.tar" | sed -n 4p | cut -d: -f1)
    printf 'XXXXXXXX' | dd of="$W/l.tar" bs=1 seek=$((at - 257 + 148)) conv=notrunc 2>/dev/null
    gzip -c "$W/l.tar" >"$b"
    fails_cleanly "layer 1 (sha256:" "entry after " "bad tar header"
}

@test "a layer whose content does not match its digest is refused" {
    b=$(layer_blob 2)
    chmod u+w "$b"
    # another gzip time stamp: the same tar, the same size, other bytes
    printf '\x01\x02\x03\x04' | dd of="$b" bs=1 seek=4 conv=notrunc 2>/dev/null
    fails_cleanly "layer 2 (sha256:" "digest mismatch: the blob's content is sha256:"
}

@test "a missing layer blob is named with its manifest path" {
    rm -f "$(layer_blob 3)"
    fails_cleanly "layers[2]" "is not in the image"
}

@test "an index that points at no manifest is refused" {
    jq '.manifests[0].digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' \
        "$W/img/index.json" >"$W/i" && mv "$W/i" "$W/img/index.json"
    fails_cleanly "index.json: manifests[0]" "sha256:0000000000000000000000000000000000000000000000000000000000000000" \
        "is not in the image"
}

@test "an index that is not JSON is refused" {
    echo '{"manifests": [' >"$W/img/index.json"
    fails_cleanly "index.json: invalid JSON"
}

@test "a config whose diff_ids do not match the layers is refused" {
    rm -rf "$W/img"
    make_image "$W/img" <<'L'
file a content=a
L
    c=$(config_of "$W/img")
    m=$(manifest_of "$W/img")
    jq '.rootfs.diff_ids += ["sha256:1111111111111111111111111111111111111111111111111111111111111111"]' "$c" >"$W/c"
    nd=$(sha256sum <"$W/c" | cut -d' ' -f1)
    cp "$W/c" "$W/img/blobs/sha256/$nd"
    jq --arg d "sha256:$nd" --argjson s "$(stat -c %s "$W/c")" '.config.digest = $d | .config.size = $s' "$m" >"$W/m"
    nm=$(sha256sum <"$W/m" | cut -d' ' -f1)
    cp "$W/m" "$W/img/blobs/sha256/$nm"
    jq --arg d "sha256:$nm" --argjson s "$(stat -c %s "$W/m")" '.manifests[0].digest = $d | .manifests[0].size = $s' \
        "$W/img/index.json" >"$W/i" && mv "$W/i" "$W/img/index.json"
    fails_cleanly "the manifest has 1 layers but the config's rootfs.diff_ids has 2"
}

@test "an entry that climbs out with .. is refused, naming layer and entry" {
    rm -rf "$W/img"
    make_image "$W/img" <<'L'
file ok content=a
---
file usr/../../escape content=x
L
    fails_cleanly "layer 2 (sha256:" "entry usr/../../escape" "climbs out of the image"
}

@test "an absolute entry that climbs out is refused; a plain absolute one lands inside" {
    rm -rf "$W/img"
    make_image "$W/img" <<'L'
file /../../etc/evil content=x
L
    fails_cleanly "layer 1 (sha256:" "entry /../../etc/evil" "climbs out of the image"
    rm -rf "$W/img"
    make_image "$W/img" <<'L'
dir /abs
file /abs/file content=inside
L
    "$FLATTEN" -q "$W/img" "$W/ok"
    tar -tzf "$(blob "$W/ok" "$(layer_digests "$W/ok")")" >"$W/names"
    grep -qx 'abs/file' "$W/names"
}

@test "a hardlink to a path the layers below do not have is refused" {
    rm -rf "$W/img"
    make_image "$W/img" <<'L'
file a content=a
---
hardlink b missing
L
    fails_cleanly "layer 2 (sha256:" "entry b" "hardlink to missing"
}

@test "a hardlink to a file removed by a layer in between is refused" {
    rm -rf "$W/img"
    make_image "$W/img" <<'L'
file a content=a
file keep content=k
---
whiteout a
---
hardlink b a
L
    fails_cleanly "layer 3 (sha256:" "entry b" "hardlink to a"
}

@test "bad flags are usage errors (exit 2) naming the flag" {
    run "$FLATTEN" --bogus "$W/img" "$W/out"
    [ "$status" -eq 2 ]
    [[ $output == *"unknown option --bogus"* ]]
    run "$FLATTEN" --from 4 "$W/img" "$W/out"
    [ "$status" -eq 2 ]
    [[ $output == *"--from 4: the image has 4 layers"* ]]
    run "$FLATTEN" --compression lz4 "$W/img" "$W/out"
    [ "$status" -eq 2 ]
    [[ $output == *'--compression: expected gzip, zstd or none, got "lz4"'* ]]
    run "$FLATTEN" --level 12 "$W/img" "$W/out"
    [ "$status" -eq 2 ]
    [[ $output == *"--level: gzip levels are 1..9"* ]]
    run "$FLATTEN" "$W/img"
    [ "$status" -eq 2 ]
    [[ $output == *"expected INPUT and OUTPUT"* ]]
    no_leftovers "$W" out
}

@test "a missing INPUT and a non-empty OUTPUT directory are refused; OUTPUT is untouched" {
    run "$FLATTEN" "$W/nothing" "$W/out"
    [ "$status" -eq 1 ]
    [[ $output == *"INPUT $W/nothing: No such file or directory"* ]]
    mkdir "$W/out" && echo precious >"$W/out/file"
    run "$FLATTEN" "$W/img" "$W/out"
    [ "$status" -eq 1 ]
    [[ $output == *"exists and is not empty"* ]]
    [ "$(cat "$W/out/file")" = precious ]
    [ -z "$(find "$W" -maxdepth 1 -name '.out.mogu-flatten-*')" ]
}

@test "a failure keeps an existing OUTPUT tar as it was" {
    echo old >"$W/out"
    rm -f "$(layer_blob 2)"
    run "$FLATTEN" --output-type tar "$W/img" "$W/out"
    [ "$status" -eq 1 ]
    [ "$(cat "$W/out")" = old ]
    [ -z "$(find "$W" -maxdepth 1 -name '.out.mogu-flatten-*')" ]
}

@test "an interrupted flatten (SIGINT) stops and leaves nothing behind" {
    rm -rf "$W/img"
    mkdir -p "$W/big"
    head -c $((96 << 20)) /dev/urandom >"$W/big/random"
    tar -C "$W/big" -cf "$W/big.tar" random
    umoci init --layout "$W/img" >/dev/null
    umoci new --image "$W/img:latest" >/dev/null
    umoci raw add-layer --image "$W/img:latest" "$W/big.tar" >/dev/null
    "$FLATTEN" --threads 1 --level 9 "$W/img" "$W/out" >"$W/log" 2>&1 &
    pid=$!
    # interrupt it once it is writing (its staging directory exists)
    for _ in $(seq 200); do
        [[ -n $(find "$W" -maxdepth 1 -name '.out.mogu-flatten-*') ]] && break
        sleep 0.05
    done
    kill -INT $pid
    rc=0
    wait $pid || rc=$?
    cat "$W/log"
    [ "$rc" -eq 1 ]
    grep -q "mogu-flatten: interrupted" "$W/log"
    no_leftovers "$W" out
}
