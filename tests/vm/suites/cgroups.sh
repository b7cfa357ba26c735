#!/bin/bash
# The cgroups library on the layouts this host lacks: its Criterion tests (tests/unit/cgroups,
# suites host and v2_host) run inside a pure cgroup v2 guest and a pure v1 guest (cpu,cpuacct
# co-mounted, name=systemd), and each of their results is reported here. Two boots.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. tests/vm/lib/tap.sh

bin=$PWD/${BUILD:-build}/tests/unit/cgroups
why=$(vm_unavailable)
[[ -z $why && ! -x $bin ]] && why="$bin is not built (make unit-binaries)"
if [[ -n $why ]]; then
    tap_plan 1
    tap_skip_rest "$why"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_layout LAYOUT FILTER: the guest's Criterion TAP, re-numbered and prefixed with the layout.
# Tests the filter leaves out show as "# SKIP test was skipped" in Criterion's TAP: not reported.
run_layout() {
    local layout=$1 filter=$2 out=$work/$1.tap err=$work/$1.err rc
    tests/vm/run-in-guest --cgroup "$layout" --timeout 900 -- "$bin" -j2 --filter="$filter" --tap=- >"$out" 2>"$err"
    rc=$?
    local seen=0 fails=0 line name diag=() failed=""
    flush() {
        [[ -z $failed ]] && return
        tap_not_ok "$failed" "${diag[@]}"
        fails=$((fails + 1)) failed="" diag=()
    }
    while IFS= read -r line; do
        case $line in
            "ok - "*"# SKIP test was skipped") ;;
            "ok - "*"# SKIP "*)
                flush; seen=$((seen + 1))
                name=${line#ok - }
                tap_skip "$layout: ${name%% # SKIP *}" "${name#* # SKIP }" ;;
            "ok - "*)
                flush; seen=$((seen + 1))
                name=${line#ok - }
                name=${name% (*}
                tap_ok "$layout: ${name%% }" ;;
            "not ok - "*)
                flush; seen=$((seen + 1))
                name=${line#not ok - }
                name=${name% (*}
                failed="$layout: ${name%% }" ;;
            "  "*) [[ -n $failed ]] && diag+=("$line") ;;
        esac
    done <"$out"
    flush
    # Criterion exits non-zero when a test failed; otherwise a non-zero status is the guest's.
    if (( rc != 0 && fails == 0 )) || (( seen == 0 )); then
        tap_not_ok "$layout: the guest run failed (exit $rc) or reported nothing" "$(tail -n 25 "$err")"
    fi
}

run_layout v2 '@(host|v2_host)/*'
run_layout v1 'host/*'
TAP_PLANNED=$TAP_N
echo "1..$TAP_N"
tap_done
