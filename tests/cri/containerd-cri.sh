#!/bin/bash
# A private containerd 1.6 with its CRI plugin, as a kubelet would talk to it, for the CRI tests:
#   containerd-cri.sh start        prints CRI_DIR=... CRI_ENDPOINT=... (eval it); everything lives
#                                  under CRI_DIR: config, root, state, socket, CNI config and leases
#   containerd-cri.sh stop DIR     stops what start made: pods and containers, containerd, the
#                                  shims, mounts, netns, the bridge and its veths, IP leases, the
#                                  portmap chains, the cgroup parents, DIR itself
#   containerd-cri.sh restart DIR  restarts DIR's containerd (SIGTERM, then a new one on the same
#                                  config and state), its shims and pods left running
# Runtime handlers: mogu (containerd-shim-mogu-v2), mogu-vm (containerd-shim-mogu-vm-v2), runc
# (containerd's own shim, for comparison), mogu-runc (containerd's runc shim running mogu),
# mogu-lxcfs (handler mogu passing the pod annotation io.mogu.lxcfs on, its LXCFS named in
# DIR/lxcfs-shim.toml). The sandbox image is the pause image built here (make fixtures:
# tests/fixtures/out/pause-oci.tar), imported with the busybox fixture.
# Environment: MOGU_BIN (our binaries, first on containerd's PATH), MOGU_SRC (the source tree).
set -euo pipefail

MOGU_SRC=${MOGU_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MOGU_BIN=${MOGU_BIN:-$MOGU_SRC/build/bin}
FIXTURES=$MOGU_SRC/tests/fixtures/out
CRI_CLIENT=${CRI_CLIENT:-$MOGU_SRC/${BUILD:-build}/tests/tools/mogu-cri}
CNI_BIN=${CNI_BIN:-/usr/lib/cni}
# MOGU_CRI_NET (0-255) picks the pod subnet 10.233.N.0/24 and the bridge mogucriN, so two runs
# of the suite (two source trees on one host) do not take each other's network.
CRI_NET=${MOGU_CRI_NET:-77}
CRI_BRIDGE=mogucri$CRI_NET
CRI_SUBNET=10.233.$CRI_NET.0/24
CRI_NS=k8s.io
PAUSE_IMAGE=docker.io/mogu/pause:3.9
# The kubelet's cgroupfs layout puts pods under /kubepods; containerd puts a sandbox without a
# cgroup parent under /<namespace>.
CGROUP_PARENTS=(/kubepods /k8s.io)

die() { echo "containerd-cri.sh: $*" >&2; exit 1; }
[[ $CRI_NET =~ ^[0-9]{1,3}$ ]] && ((CRI_NET <= 255)) || die "MOGU_CRI_NET wants a number 0-255, not '$CRI_NET'"

# Why this cannot run here, or nothing.
missing() {
    [[ $(id -u) == 0 ]] || { echo "needs root"; return 0; }
    local b
    for b in containerd ctr ip iptables; do command -v $b >/dev/null || { echo "$b not installed"; return 0; }; done
    for b in bridge host-local loopback portmap; do
        [[ -x $CNI_BIN/$b ]] || { echo "CNI plugin $CNI_BIN/$b missing (containernetworking-plugins)"; return 0; }
    done
    [[ -x $MOGU_BIN/containerd-shim-mogu-v2 ]] || { echo "$MOGU_BIN/containerd-shim-mogu-v2 not built"; return 0; }
    [[ -f $FIXTURES/pause-oci.tar && -f $FIXTURES/busybox-oci.tar ]] || { echo "pause/busybox images missing (make fixtures)"; return 0; }
    return 1
}

write_config() {
    local dir=$1
    cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$dir/containerd.sock"
[debug]
  level = "${CRI_LOG_LEVEL:-info}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The kubelet gives pause -998, which needs CAP_SYS_RESOURCE; this host's bounding set lacks it.
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # Pod network namespaces under our state dir, not /var/run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "mogu"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mogu]
      runtime_type = "io.containerd.mogu.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mogu-vm]
      runtime_type = "io.containerd.mogu-vm.v2"
      pod_annotations = ["io.mogu.vm.*"]
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    # Handler mogu with the LXCFS views a pod asks for (annotation io.mogu.lxcfs, docs/kubernetes.md),
    # through the LXCFS named in DIR/lxcfs-shim.toml (a test writes it once its LXCFS runs).
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mogu-lxcfs]
      runtime_type = "io.containerd.mogu.v2"
      pod_annotations = ["io.mogu.lxcfs"]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mogu-lxcfs.options]
        ConfigPath = "$dir/lxcfs-shim.toml"
    # containerd's runc shim running mogu (docs/kubernetes.md's alternative), state under
    # /run/containerd/runc/k8s.io as runc's.
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mogu-runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mogu-runc.options]
        BinaryName = "$MOGU_BIN/mogu"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$dir/net.d"
    max_conf_num = 1
TOML
    mkdir -p "$dir/net.d"
    # No ipMasq: the pods need no way out, and the host keeps no MASQUERADE rule of ours.
    cat >"$dir/net.d/10-mogu-cri.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "mogu-cri",
  "plugins": [
    {"type": "bridge", "bridge": "$CRI_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$CRI_SUBNET"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$dir/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

start() {
    local why
    if why=$(missing); then die "cannot start: $why"; fi
    ip link show "$CRI_BRIDGE" >/dev/null 2>&1 && die "bridge $CRI_BRIDGE exists: another CRI containerd runs (or a stale one: containerd-cri.sh stop its dir)"
    local dir
    dir=$(mktemp -d /tmp/mogu-cri.XXXXXX)
    echo "$CRI_NET" >"$dir/cri-net"  # stop DIR finds the bridge and subnet without MOGU_CRI_NET
    # What exists before us is not ours to remove at stop.
    local p
    for p in "${CGROUP_PARENTS[@]}"; do
        if [[ -d /sys/fs/cgroup/memory$p || -d /sys/fs/cgroup$p ]]; then echo "$p"; fi
    done >"$dir/cgroups-before"
    if iptables -t nat -S CNI-HOSTPORT-DNAT >/dev/null 2>&1; then touch "$dir/portmap-before"; fi
    write_config "$dir"
    launch "$dir" || { stop "$dir"; die "containerd did not start"; }
    local tar
    for tar in "$FIXTURES/pause-oci.tar" "$FIXTURES/busybox-oci.tar"; do
        ctr --address "$dir/containerd.sock" -n "$CRI_NS" images import "$tar" >/dev/null ||
            { stop "$dir"; die "import $tar failed"; }
    done
    echo "CRI_DIR=$dir"
    echo "CRI_ENDPOINT=unix://$dir/containerd.sock"
}

# containerd on DIR's config, in the background; returns once it answers on its socket.
launch() {
    local dir=$1
    # No inherited fds beyond the log: bats waits for every holder of its output to close it.
    PATH="$MOGU_BIN:$PATH" containerd --config "$dir/config.toml" </dev/null >>"$dir/containerd.log" 2>&1 3>&- 4>&- &
    echo $! >"$dir/containerd.pid"
    for _ in $(seq 150); do
        ctr --address "$dir/containerd.sock" version >/dev/null 2>&1 && return 0
        kill -0 "$(<"$dir/containerd.pid")" 2>/dev/null || { tail -20 "$dir/containerd.log" >&2; echo "containerd exited" >&2; return 1; }
        sleep 0.1
    done
    tail -20 "$dir/containerd.log" >&2
    echo "containerd did not answer" >&2
    return 1
}

# containerd restarted as on a node where it is upgraded or its config changed (systemctl restart
# containerd): SIGTERM, which leaves the shims and their pods running, then a new containerd on
# the same config, root, state and socket, which takes the running pods up again.
restart() {
    local dir=${1:-${CRI_DIR:-}} pid
    [[ -n $dir && -f $dir/containerd.pid && $dir == /tmp/mogu-cri.* ]] || die "restart: $dir is not a directory start made"
    pid=$(<"$dir/containerd.pid")
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        ! kill -0 "$pid" 2>/dev/null || die "restart: containerd $pid did not exit on SIGTERM in 10 s"
    fi
    launch "$dir" || die "restart: containerd did not start again (see $dir/containerd.log)"
    # The CRI plugin answers once it has recovered the pods ("server is not initialized yet"
    # before).
    for _ in $(seq 300); do
        "$CRI_CLIENT" -r "unix://$dir/containerd.sock" --timeout 10 pods >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "restart: the CRI plugin did not answer in 30 s (see $dir/containerd.log)"
}

# The CRI plugin's objects first, as the kubelet removes them (StopPodSandbox kills the pod's
# containers and has CNI DEL free the lease, the veth and the portmap rules), then whatever
# containerd still lists.
stop_pods() {
    local dir=$1 sock=$1/containerd.sock t
    local c=(ctr --address "$sock" -n "$CRI_NS")
    if [[ -x $CRI_CLIENT ]]; then
        local pods
        pods=$("$CRI_CLIENT" -r "unix://$sock" --timeout 10 pods 2>/dev/null | jq -r '.items[]?.id' 2>/dev/null) || true
        for t in $pods; do
            "$CRI_CLIENT" -r "unix://$sock" --timeout 10 stopp "$t" >/dev/null || true
            "$CRI_CLIENT" -r "unix://$sock" --timeout 10 rmp "$t" >/dev/null || true
        done
    fi
    # Each call bounded: a shim that does not answer must not hold the teardown (it is killed next).
    for t in $(timeout 10 "${c[@]}" tasks ls -q 2>/dev/null); do
        timeout 5 "${c[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
        timeout 5 "${c[@]}" tasks delete -f "$t" >/dev/null 2>&1 || true
    done
    for t in $(timeout 10 "${c[@]}" containers ls -q 2>/dev/null); do
        timeout 5 "${c[@]}" containers delete "$t" >/dev/null 2>&1 || true
    done
}

# The shims serving this containerd: started with "-address DIR/containerd.sock", which no other
# process on the host names (their pid files go with their bundles, so look at the processes).
shims_of() {
    local f
    # grep reads the NUL-separated cmdline as binary: -l names the files that hold the socket path.
    for f in $(grep -lsF -- "$1/containerd.sock" /proc/[0-9]*/cmdline); do
        f=${f#/proc/}; echo "${f%/cmdline}"
    done
}

stop() {
    local dir=${1:-${CRI_DIR:-}}
    [[ -n $dir && -d $dir && $dir == /tmp/mogu-cri.* ]] || die "stop: $dir is not a directory start made"
    if [[ -f $dir/cri-net ]]; then
        CRI_NET=$(<"$dir/cri-net")
        CRI_BRIDGE=mogucri$CRI_NET
        CRI_SUBNET=10.233.$CRI_NET.0/24
    fi
    local pid=
    if [[ -f $dir/containerd.pid ]]; then pid=$(<"$dir/containerd.pid"); fi
    # Our containers and sandboxes: containerd's list and the bundles left (a killed shim's). The
    # cgroups named after them are ours; other cgroups under /kubepods may be another
    # containerd's (a second run of the suite, a demo) and are not touched.
    local ids
    ids=$(ls "$dir/state/io.containerd.runtime.v2.task/$CRI_NS" 2>/dev/null || true)
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        ids+=" $(timeout 10 ctr --address "$dir/containerd.sock" -n "$CRI_NS" containers ls -q 2>/dev/null || true)"
        stop_pods "$dir"
    fi
    local shims
    shims=$(shims_of "$dir")
    if [[ -n $pid ]] && kill "$pid" 2>/dev/null; then
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    # shellcheck disable=SC2086
    [[ -z $shims ]] || kill -9 $shims 2>/dev/null || true
    # A shim killed here leaves its socket in /run/containerd/s (its bundle says which) and its
    # runtime's state of the bundle's container (mogu's or runc's --root).
    local b a
    for b in "$dir"/state/io.containerd.runtime.v2.task/"$CRI_NS"/*/; do
        [[ -d $b ]] || continue
        if [[ -f $b/address ]]; then
            a=$(<"$b/address"); a=${a#unix://}
            if [[ $a == /run/containerd/s/* ]]; then rm -f "$a"; fi
        fi
        b=$(basename "$b")
        # A mogu-vm pod's sandbox holds its containers' binds (rootfs, host directories): off
        # first, and rm stays on its file system, never deleting what a bind shows.
        { grep -o " /run/containerd/mogu/$CRI_NS/$b/[^ ]*" /proc/self/mounts || true; } | sort -r |
            while read -r m; do umount -l "$m" 2>/dev/null || true; done
        rm -rf --one-file-system "/run/containerd/mogu/$CRI_NS/$b" "/run/containerd/runc/$CRI_NS/$b"
    done
    # Mounts (rootfs, shm, netns bind mounts) under the dir, deepest first.
    { grep -o " $dir/[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    ip link del "$CRI_BRIDGE" 2>/dev/null || true
    remove_portmap_chains_of_subnet
    if [[ ! -e $dir/portmap-before ]]; then
        remove_chain nat CNI-HOSTPORT-DNAT PREROUTING OUTPUT
        remove_chain nat CNI-HOSTPORT-MASQ POSTROUTING
        remove_chain nat CNI-HOSTPORT-SETMARK
    fi
    local p
    for p in "${CGROUP_PARENTS[@]}"; do
        # shellcheck disable=SC2086
        grep -qx "$p" "$dir/cgroups-before" 2>/dev/null || remove_cgroup_tree "$p" $ids
    done
    rmdir /run/containerd/mogu/$CRI_NS /run/containerd/runc/$CRI_NS 2>/dev/null || true
    rm -rf "$dir"
}

# Drops the jumps to CHAIN from the listed chains, then the chain (portmap leaves its top chains).
remove_chain() {
    local table=$1 chain=$2; shift 2
    iptables -t "$table" -S "$chain" >/dev/null 2>&1 || return 0
    local from rule
    for from in "$@"; do
        while rule=$(iptables -t "$table" -S "$from" 2>/dev/null | grep -m1 -- "-j $chain\$"); do
            # The rule as iptables -S prints it, quoted comment included: eval re-reads the quotes.
            eval "iptables -t $table ${rule/-A/-D}" || break
        done
    done
    iptables -t "$table" -F "$chain" && iptables -t "$table" -X "$chain" || true
}

# A pod whose CNI DEL never ran (its sandbox would not stop) leaves portmap's per-pod chain
# CNI-DN-<hash>; ours are the ones that DNAT into our subnet.
remove_portmap_chains_of_subnet() {
    local chain prefix=${CRI_SUBNET%.0/24}.
    for chain in $(iptables -t nat -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CNI-DN-/ {print $2}'); do
        iptables -t nat -S "$chain" | grep -qF -- "--to-destination $prefix" || continue
        remove_chain nat "$chain" CNI-HOSTPORT-DNAT
    done
}

# A tree start did not find, in every hierarchy: the processes in the cgroups named after our
# containers (IDS: a pause or container whose shim was killed above lives on, holding its netns
# and veth) are SIGKILLed, then every empty directory is removed, deepest first. Another
# containerd's pods in the tree (one started while ours ran) keep their processes and cgroups.
remove_cgroup_tree() {
    local parent=$1 m d id pids; shift
    [[ $parent == /?* && $parent != *..* ]] || return 0
    local -A ours=()
    for id in "$@"; do ours[$id]=1; done
    local mounts
    mounts=$(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo)
    for m in $mounts; do
        [[ -d $m$parent ]] || continue
        while read -r d; do
            [[ -n ${ours[${d##*/}]:-} ]] || continue
            pids=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
            # shellcheck disable=SC2086
            [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
        done < <(find "$m$parent" -mindepth 1 -type d 2>/dev/null)
    done
    for m in $mounts; do
        [[ -d $m$parent ]] || continue
        # Again while one of ours is left (its killed processes take a moment to go).
        for _ in $(seq 20); do
            find "$m$parent" -depth -type d -exec rmdir {} \; 2>/dev/null
            [[ -d $m$parent ]] || break
            while read -r d; do [[ -z ${ours[${d##*/}]:-} ]] || { sleep 0.1; continue 2; }; done < <(find "$m$parent" -mindepth 1 -type d)
            break
        done
    done
}

case ${1:-} in
    start) start ;;
    stop) stop "${2:-}" ;;
    restart) restart "${2:-}" ;;
    missing) missing || exit 1 ;;
    *) echo "usage: containerd-cri.sh start | stop DIR | restart DIR | missing" >&2; exit 2 ;;
esac
