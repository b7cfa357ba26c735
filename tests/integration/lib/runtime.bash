# Helpers for the mogu runtime's end-to-end tests: bundles from the fixture rootfs, a private
# --root per test, and the checks that a failed or finished container left nothing behind.

MOGU=${MOGU_BIN:-$MOGU_SRC/build/bin}/mogu
FIXTURE_ROOTFS=${MOGU_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}/tests/fixtures/out/rootfs
# Every test container lives under this cgroup parent, so leaks are easy to see.
CGROUP_PARENT=/mogu-test
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/cgroups.bash"

runtime_setup() {
    [[ $EUID -eq 0 ]] || skip "needs root"
    [[ -x $MOGU ]] || { echo "mogu binary missing at $MOGU (run make)" >&2; return 1; }
    [[ -x $FIXTURE_ROOTFS/bin/busybox ]] || { echo "fixture rootfs missing (run make fixtures)" >&2; return 1; }
    TEST_TMP=$(mktemp -d /tmp/mogu-it.XXXXXX)
    ROOT=$TEST_TMP/state
    BUNDLE=$TEST_TMP/bundle
    ID=t$BATS_TEST_NUMBER-$$
}

runtime_teardown() {
    [[ -n ${ROOT:-} ]] || return 0
    cd /
    local id
    for id in $("$MOGU" --root "$ROOT" list -q 2>/dev/null); do
        "$MOGU" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
    grep -q " $TEST_TMP" /proc/self/mountinfo && awk -v t="$TEST_TMP" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
    rm -rf "$TEST_TMP"
    remove_cgroup_parent "$CGROUP_PARENT"
}

mogu() { "$MOGU" --root "$ROOT" "$@"; }

# make_bundle [JQ_FILTER...]: config.json from `mogu spec`, non-interactive, cgroup under
# $CGROUP_PARENT/$ID, each filter applied in turn. Uses a private copy of the rootfs when
# COPY_ROOTFS=1 (for tests that write to it).
make_bundle() {
    mkdir -p "$BUNDLE"
    rm -rf "$BUNDLE/rootfs"
    if [[ ${COPY_ROOTFS:-0} == 1 ]]; then
        cp -a "$FIXTURE_ROOTFS" "$BUNDLE/rootfs"
    else
        ln -sfn "$FIXTURE_ROOTFS" "$BUNDLE/rootfs"
    fi
    (cd "$BUNDLE" && rm -f config.json && "$MOGU" spec)
    # The rootfs is shared and read-only; /tmp is a private tmpfs so tests can write there.
    cd "$BUNDLE"  # runc's default bundle is the current directory
    edit_config ".process.terminal = false | .linux.cgroupsPath = \"$CGROUP_PARENT/$ID\"" \
        '.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}]' "$@"
}

# jq_config JQ_ARG...: the bundle's config.json through one jq run with these arguments, in place.
jq_config() {
    jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# edit_config FILTER...: applies jq filters to the bundle's config.json, in order, in one jq run
# (jq's start is half a second in a TCG guest, where tests/vm/suites/ run these helpers).
edit_config() {
    (( $# )) || return 0
    local f program=""
    for f in "$@"; do program+="${program:+ | }($f)"; done
    jq_config "$program"
}

# set_args ARG...: process.args, each argument as it is (newlines and leading dashes too: they
# reach jq NUL-separated in a file, never as jq's own arguments).
set_args() {
    if (( $# == 0 )); then edit_config '.process.args = []'; return; fi
    jq_config --rawfile raw <(printf '%s\0' "$@") '.process.args = ($raw | split("\u0000") | .[:-1])'
}

# The container's cgroup directories on this host (every hierarchy), existing or not.
cgroup_dirs_of() {
    local id=$1 m
    for m in $(cgroup_mounts); do
        echo "$m$CGROUP_PARENT/$id"
    done
}

# Fails (with what is left) if the container left a state directory, a cgroup or a mount.
assert_nothing_left() {
    local id=${1:-$ID} left=()
    [[ -e $ROOT/$id ]] && left+=("state dir $ROOT/$id")
    local d
    for d in $(cgroup_dirs_of "$id"); do
        [[ -d $d ]] && left+=("cgroup $d")
    done
    if grep -q "$BUNDLE" /proc/self/mountinfo 2>/dev/null; then left+=("mount under $BUNDLE"); fi
    if ((${#left[@]})); then
        printf 'left behind: %s\n' "${left[@]}" >&2
        return 1
    fi
}

# wait_for 'SHELL CONDITION': re-evaluates the condition for up to ~5 s.
wait_for() {
    local i
    for i in $(seq 1 100); do
        eval "$1" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    eval "$1"
}

# run_detached ID [FLAGS...]: `run -d` with the container's stdio on files, so nothing waits on
# a pipe the container still holds (as with runc, a detached container keeps the caller's stdio).
run_detached() {
    local id=$1
    shift
    "$MOGU" --root "$ROOT" run -d "$@" "$id" </dev/null >"$TEST_TMP/$id.out" 2>&1
}

status_of() { mogu state "$1" | jq -r .status; }
