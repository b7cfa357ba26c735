# TAP helpers for tests/vm/suites/*.sh (source it). A suite plans its tests, boots as few guests as
# it can, then reports one line per check:
#   tap_plan 5
#   tap_check "pure v2 has no v1 controllers" grep -q '^v1=none$' "$facts"
#   tap_skip_rest "qemu-system-x86_64 is missing"    # every remaining planned test as skipped
# Exit status: 0 when nothing failed.
TAP_PLANNED=0 TAP_N=0 TAP_FAILED=0

tap_plan() { TAP_PLANNED=$1; echo "1..$1"; }
tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
tap_not_ok() {  # NAME [DIAGNOSTIC...]
    TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_N - $1"; shift
    local line
    for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # skip $2"; }
# tap_check NAME COMMAND...: ok when COMMAND succeeds; otherwise its output as the diagnostic.
tap_check() {
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then tap_ok "$name"; else tap_not_ok "$name" "command: $*" "$out"; fi
}
tap_skip_rest() {
    while (( TAP_N < TAP_PLANNED )); do tap_skip "planned test $((TAP_N + 1))" "$1"; done
}
tap_done() {
    (( TAP_N == TAP_PLANNED )) || { echo "# planned $TAP_PLANNED tests, ran $TAP_N"; return 1; }
    (( TAP_FAILED == 0 ))
}
# tap_relay_bats PREFIX FILE: the bats TAP a guest printed into FILE, renumbered into ours, each
# name behind "PREFIX: "; a failure keeps the "#" lines bats printed under it as its diagnostic.
tap_relay_bats() {
    local prefix=$1 file=$2 line name failed="" diag=()
    flush() {
        [[ -n $failed ]] && tap_not_ok "$failed" "${diag[@]}"
        failed="" diag=()
    }
    while IFS= read -r line; do
        case $line in
            "ok "*"# skip"*) flush; name=${line#ok }; name=${name#* }; tap_skip "$prefix: ${name%% # skip*}" "${name#* # skip }" ;;
            "ok "*) flush; name=${line#ok }; tap_ok "$prefix: ${name#* }" ;;
            "not ok "*) flush; name=${line#not ok }; failed="$prefix: ${name#* }" ;;
            "#"*) [[ -n $failed ]] && diag+=("$line") ;;
        esac
    done < <(grep -v '^1\.\.' "$file")
    flush
    unset -f flush
}
# Why the guest harness cannot run here, or nothing when it can.
vm_unavailable() {
    command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"; return; }
    ls /boot/vmlinuz-* >/dev/null 2>&1 || { echo "no kernel in /boot (apt-get install linux-image-amd64)"; return; }
    command -v cpio >/dev/null || { echo "cpio is missing"; return; }
    return 0
}
