#!/bin/bash
# make bench, flatten part: a realistic many-layer image (debootstrap minbase plus layers that
# install, remove and overwrite packages), flattened by mogu-flatten and by the obvious
# alternatives (umoci unpack + repack; tar extract with whiteouts + tar|gzip and tar|pigz), plus
# containerd import+unpack of the original and the flattened image.
# The image is built once and cached in $MOGU_BENCH_CACHE (default /var/cache/mogu-bench/flatten).
set -euo pipefail
cd "$(dirname "$0")/.."
FLATTEN=${MOGU_BIN:-build/bin}/mogu-flatten
CACHE=${MOGU_BENCH_CACHE:-/var/cache/mogu-bench/flatten}
IMG=$CACHE/image
[[ -x $FLATTEN ]] || { echo "bench/flatten: $FLATTEN not built" >&2; exit 1; }
for t in umoci debootstrap pigz containerd ctr jq; do
    command -v $t >/dev/null || { echo "bench/flatten: $t missing (make deps)" >&2; exit 1; }
done
(( EUID == 0 )) || { echo "bench/flatten: needs root (debootstrap, chroot, containerd)" >&2; exit 1; }

# ---- the image: built once --------------------------------------------------------------------
build_image() {
    local work=$CACHE/build
    rm -rf "$work" "$IMG"
    mkdir -p "$work"
    # Debian's mirror as this machine's apt knows it.
    local mirror suite
    mirror=$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
        grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true)
    suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
    [[ -n $mirror && -n $suite ]] || { echo "bench/flatten: no Debian mirror in apt's sources" >&2; exit 1; }
    echo "building the bench image ($suite from $mirror); cached in $CACHE"
    debootstrap --variant=minbase "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    umoci init --layout "$IMG"
    umoci new --image "$IMG:base"
    umoci unpack --image "$IMG:base" "$work/bundle" >/dev/null
    rmdir "$work/bundle/rootfs" && mv "$work/root" "$work/bundle/rootfs"
    # --refresh-bundle: each repack makes one layer of the changes since the previous one
    umoci repack --refresh-bundle --image "$IMG:latest" --history.created_by "debootstrap --variant=minbase $suite" \
        "$work/bundle"
    local r=$work/bundle/rootfs
    step() {  # step "what it does" command...: one layer
        local what=$1
        shift
        mount -t proc proc "$r/proc"
        cp /etc/resolv.conf "$r/etc/resolv.conf"
        local rc=0
        chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
            /bin/sh -c "$*" >>"$work/steps.log" 2>&1 || rc=$?
        umount "$r/proc"
        (( rc == 0 )) || { tail -20 "$work/steps.log" >&2; exit 1; }
        umoci repack --refresh-bundle --image "$IMG:latest" --history.created_by "$what" "$work/bundle"
        echo "  layer: $what"
    }
    local apt="apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends"
    step "apt-get update" "apt-get -q update"
    step "install python3" "$apt install python3"
    step "install build-essential" "$apt install build-essential"
    step "install git and curl" "$apt install git curl ca-certificates"
    step "remove build-essential" "$apt purge build-essential gcc-12 g++-12 cpp-12 && $apt autoremove --purge"
    step "install perl" "$apt install perl"
    step "reinstall coreutils (overwrite)" "$apt install --reinstall coreutils findutils"
    step "install vim" "$apt install vim-tiny less"
    step "overwrite configs" "echo 'mogu bench' >/etc/motd && rm -rf /usr/share/doc/* && sed -i s/^#//g /etc/bash.bashrc"
    step "apt-get clean" "apt-get clean && rm -rf /var/lib/apt/lists/*"
    step "install python3-pip" "apt-get -q update && $apt install python3-pip && rm -rf /var/lib/apt/lists/*"
    umoci rm --image "$IMG:base"
    umoci gc --layout "$IMG"
    rm -rf "$work"
    touch "$CACHE/.built"
}
[[ -f $CACHE/.built && -f $IMG/index.json ]] || build_image
[[ $(jq '.manifests | length' "$IMG/index.json") -eq 1 ]] || { echo "bench/flatten: $IMG: expected one image" >&2; exit 1; }

# ---- measuring --------------------------------------------------------------------------------
T=$(mktemp -d "${TMPDIR:-/var/tmp}/mogu-bench-flatten.XXXXXX")
CTD_PID=
cleanup() {
    if [[ -n $CTD_PID ]]; then kill "$CTD_PID" 2>/dev/null || true; wait "$CTD_PID" 2>/dev/null || true; fi
    umount -R "$T"/ctd/root/* 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b - a}'; }
mb() { awk -v n="$1" 'BEGIN{printf "%.1f", n / 1e6}'; }
manifest() { echo "$1/blobs/sha256/$(jq -r --arg r "${2:-latest}" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | .digest' "$1/index.json" | cut -d: -f2)"; }
layers_of() { jq -r '.layers[].digest' "$(manifest "$1" "${2:-latest}")" | cut -d: -f2; }
stored_bytes() { local s=0; for l in $(layers_of "$@"); do s=$((s + $(stat -c %s "$1/blobs/sha256/$l"))); done; echo $s; }
tar_bytes() { local s=0; for l in $(layers_of "$@"); do s=$((s + $(zcat -f "$1/blobs/sha256/$l" | wc -c))); done; echo $s; }

n_layers=$(layers_of "$IMG" | wc -l)
in_stored=$(stored_bytes "$IMG")
in_tar=$(tar_bytes "$IMG")
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }

printf '%-44s %9s %9s %8s %7s\n' "" "time s" "MB out" "MB/s" "layers"
printf '%-44s %9s %9s %8s %7s\n' "original image" "-" "$(mb "$in_stored")" "-" "$n_layers"
echo "  ($(mb "$in_tar") MB of layer tars; MB/s below = uncompressed input per second)"

declare -A TIME
run() {  # run NAME COMMAND...: times it; the output layout is $T/NAME
    local name=$1
    shift
    drop_caches
    local a b
    a=$(now)
    "$@" >"$T/$name.log" 2>&1 || { echo "bench/flatten: $name failed:" >&2; tail -5 "$T/$name.log" >&2; exit 1; }
    b=$(now)
    TIME[$name]=$(secs "$a" "$b")
}
# best_of2 NAME OUT COMMAND...: the faster of two runs (these machines are shared; the slow
# alternatives run once, which only flatters them)
best_of2() {
    local name=$1 out=$2
    shift 2
    run "$name" "$@"
    local first=${TIME[$name]}
    rm -rf "$out"
    run "$name" "$@"
    TIME[$name]=$(awk -v a="$first" -v b="${TIME[$name]}" 'BEGIN{print (a < b ? a : b)}')
}
report() {  # report NAME LABEL LAYOUT [REF]
    local out=$(stored_bytes "$3" "${4:-latest}") n=$(layers_of "$3" "${4:-latest}" | wc -l)
    printf '%-44s %9s %9s %8s %7s\n' "$2" "${TIME[$1]}" "$(mb "$out")" \
        "$(awk -v b="$in_tar" -v t="${TIME[$1]}" 'BEGIN{printf "%.0f", b / 1e6 / t}')" "$n"
}

threads=$(nproc)
echo "  (load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs)"
best_of2 mogu "$T/mogu" "$FLATTEN" -q --no-progress "$IMG" "$T/mogu"
report mogu "mogu-flatten gzip ($threads threads)" "$T/mogu"
best_of2 mogu1 "$T/mogu1" "$FLATTEN" -q --no-progress --threads 1 "$IMG" "$T/mogu1"
report mogu1 "mogu-flatten gzip (1 thread)" "$T/mogu1"
best_of2 zstd "$T/zstd" "$FLATTEN" -q --no-progress --compression zstd "$IMG" "$T/zstd"
report zstd "mogu-flatten zstd ($threads threads)" "$T/zstd"
best_of2 from1 "$T/from1" "$FLATTEN" -q --no-progress --from 1 "$IMG" "$T/from1"
report from1 "mogu-flatten --from 1 (base kept)" "$T/from1"

# umoci: unpack the image, repack the whole tree as the one layer of a new image.
umoci_flatten() {
    umoci unpack --image "$IMG:latest" "$T/u-bundle"
    umoci init --layout "$T/umoci"
    umoci new --image "$T/umoci:latest"
    umoci unpack --image "$T/umoci:latest" "$T/u-new"
    rm -rf "$T/u-new/rootfs" && mv "$T/u-bundle/rootfs" "$T/u-new/rootfs"
    umoci repack --image "$T/umoci:latest" "$T/u-new"
    rm -rf "$T/u-bundle" "$T/u-new"
}
run umoci umoci_flatten
report umoci "umoci unpack + repack" "$T/umoci"

# tar: extract every layer in order (whiteouts applied by hand), re-tar, compress.
tar_flatten() {  # tar_flatten COMPRESSOR
    local root=$T/t-root
    rm -rf "$root" && mkdir -p "$root"
    for l in $(layers_of "$IMG"); do
        local blob=$IMG/blobs/sha256/$l
        tar -tzf "$blob" >"$T/names"
        # opaque directories and whiteouts hide what lower layers put there
        grep -E '(^|/)\.wh\.\.wh\.\.opq$' "$T/names" | while read -r m; do
            find "$root/$(dirname "$m")" -mindepth 1 -delete 2>/dev/null || true; done
        grep -E '(^|/)\.wh\.[^/]+$' "$T/names" | grep -v '\.wh\.\.wh\.' | while read -r m; do
            rm -rf "$root/$(dirname "$m")/$(basename "$m" | cut -c5-)"; done
        tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' -xzf "$blob"
        find "$root" -name '.wh.*' -delete
    done
    mkdir -p "$T/tar-$1"
    tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' -cf - . | $1 >"$T/tar-$1/layer.tar.gz"
    rm -rf "$root"
}
run tar_gzip tar_flatten "gzip -6"
printf '%-44s %9s %9s %8s %7s\n' "tar x (whiteouts by hand) + tar c | gzip" "${TIME[tar_gzip]}" \
    "$(mb "$(stat -c %s "$T/tar-gzip -6/layer.tar.gz")")" \
    "$(awk -v b="$in_tar" -v t="${TIME[tar_gzip]}" 'BEGIN{printf "%.0f", b / 1e6 / t}')" 1
run tar_pigz tar_flatten "pigz -6"
printf '%-44s %9s %9s %8s %7s\n' "tar x (whiteouts by hand) + tar c | pigz" "${TIME[tar_pigz]}" \
    "$(mb "$(stat -c %s "$T/tar-pigz -6/layer.tar.gz")")" \
    "$(awk -v b="$in_tar" -v t="${TIME[tar_pigz]}" 'BEGIN{printf "%.0f", b / 1e6 / t}')" 1

echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1fx", a / b}'; }
echo "mogu-flatten is $(ratio "${TIME[umoci]}" "${TIME[mogu]}") faster than umoci unpack+repack," \
    "$(ratio "${TIME[tar_gzip]}" "${TIME[mogu]}") faster than tar+gzip," \
    "$(ratio "${TIME[tar_pigz]}" "${TIME[mogu]}") faster than tar+pigz"
echo "size: $(mb "$in_stored") MB in $n_layers layers -> $(mb "$(stored_bytes "$T/mogu")") MB in 1 layer" \
    "($(awk -v a="$(stored_bytes "$T/mogu")" -v b="$in_stored" 'BEGIN{printf "%.0f", 100 * a / b}')% of the original)"

# ---- containerd: import + unpack of the original and the flattened image ----------------------
snap=native
grep -qw overlay /proc/filesystems && snap=overlayfs
mkdir -p "$T/ctd"
cat >"$T/ctd/config.toml" <<TOML
version = 2
root = "$T/ctd/root"
state = "$T/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/ctd/sock"
[ttrpc]
  address = "$T/ctd/sock.ttrpc"
TOML
containerd -c "$T/ctd/config.toml" >"$T/ctd/log" 2>&1 &
CTD_PID=$!
for _ in $(seq 100); do [[ -S $T/ctd/sock ]] && break; sleep 0.1; done
ctr_() { ctr --address "$T/ctd/sock" -n bench "$@"; }
tar -C "$IMG" -cf "$T/orig.tar" oci-layout index.json blobs
tar -C "$T/mogu" -cf "$T/flat.tar" oci-layout index.json blobs
run import_orig ctr_ images import --snapshotter $snap --index-name bench/orig "$T/orig.tar"
run import_flat ctr_ images import --snapshotter $snap --index-name bench/flat "$T/flat.tar"
printf '%-44s %9s\n' "ctr images import + unpack ($snap), original" "${TIME[import_orig]}"
printf '%-44s %9s\n' "ctr images import + unpack ($snap), flattened" "${TIME[import_flat]}"
echo "import + unpack: $(ratio "${TIME[import_orig]}" "${TIME[import_flat]}") faster flattened"

# ---- and the result is the same tree --------------------------------------------------------
TREESUM=${MOGU_BIN:-build/bin}/../tests/tools/mogu-treesum
if [[ -x $TREESUM ]]; then
    tree() { umoci unpack --image "$1" "$T/check" >/dev/null && "$TREESUM" --dir-mtime "$T/check/rootfs" >"$2"; rm -rf "$T/check"; }
    tree "$IMG:latest" "$T/tree.orig"
    tree "$T/mogu:latest" "$T/tree.flat"
    if cmp -s "$T/tree.orig" "$T/tree.flat"; then
        echo "check: umoci unpack of the original and the flattened image: the same $(wc -l <"$T/tree.orig") paths"
    else
        echo "check: the flattened image unpacks to a different tree:" >&2
        diff "$T/tree.orig" "$T/tree.flat" | head -20 >&2
        exit 1
    fi
fi
