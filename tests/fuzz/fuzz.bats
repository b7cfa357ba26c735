#!/usr/bin/env bats
# The libFuzzer targets of tests/fuzz/, each run briefly from its seed corpus: no crash, leak,
# undefined behaviour, foreign exception or hang. `make fuzz` runs them longer (FUZZ_SECONDS).
#
# The targets need clang's libFuzzer and link the objects of the sanitizer build (build-asan,
# the unit tests' tree), which `make all` does not make: each test builds them with
# `make fuzz-binaries` (a no-op once tests/run-all's sanitizer build made them), so a build
# failure is a failing test, and a machine without clang skips with the reason. tests/run-all
# runs this file in its side lane, after that build, never beside it.

SRC=${MOGU_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=$SRC/$ASAN_BUILD
# Seconds per target in CI.
FUZZ_CI_SECONDS=${FUZZ_CI_SECONDS:-15}

build_fuzzers() {
    command -v clang++-14 >/dev/null || skip "clang++-14 is missing (make deps installs clang-14)"
    local probe
    probe=$(mktemp -d /tmp/mogu-fuzz-probe.XXXXXX)
    echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
    if ! clang++-14 -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
        rm -rf "$probe"
        skip "clang++-14 cannot link libFuzzer (make deps installs libclang-rt-14-dev)"
    fi
    rm -rf "$probe"
    local log=$BATS_FILE_TMPDIR/build.log
    if ! make -C "$SRC" FUZZ_BUILD="$ASAN_BUILD" fuzz-binaries >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "building the fuzz targets failed (log above)" >&2
        return 1
    fi
}

# fuzz TARGET: runs it for FUZZ_CI_SECONDS; on a finding, shows the report and the reproducer.
fuzz() {
    build_fuzzers
    run "$SRC/tests/fuzz/run-target" "$FUZZ_BUILD" "$1" "$FUZZ_CI_SECONDS"
    echo "$output"
    # tests/fuzz/sandbox.h: a target that needs its Landlock sandbox will not run unconfined.
    if [[ $status -ne 0 && $output == *"==FUZZ== sandbox: this kernel has no Landlock"* ]]; then
        skip "this kernel has no Landlock, which fuzz-$1 runs in (tests/fuzz/sandbox.h)"
    fi
    [ "$status" -eq 0 ]
    [[ $output == *"fuzz: $1 ok: "* ]]
}

@test "fuzz spec_parse: config.json, process.json and resources.json parsing and validation" {
    fuzz spec_parse
}

@test "fuzz cli_args: every verb's flags, signal names and the verbs' own flag handling" {
    fuzz cli_args
}

@test "fuzz ttrpc_shim: frames and every Task method's requests on the shim's ttrpc socket" {
    fuzz ttrpc_shim
}

@test "fuzz agent_ttrpc: frames and every Agent method's requests on mogu-agent's control port, and its rewrite of config.json for the guest" {
    fuzz agent_ttrpc
}

@test "fuzz monitor_config: monitor.toml through toml++ and the monitor's readers of [host], [[rules]] and [alerts]" {
    fuzz monitor_config
}

@test "fuzz flatten_image: an image tar through mogu-flatten's reader, merge and writer, and the output read back" {
    fuzz flatten_image
}

@test "fuzz snapshotter_grpc: every Snapshots method's requests on mogu-snapshotter's gRPC service, its database, filters and update masks" {
    fuzz snapshotter_grpc
}
