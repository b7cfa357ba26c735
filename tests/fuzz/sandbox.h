// A Landlock sandbox for fuzz targets whose inputs can name files and programs (the shim's
// Create takes a bundle, rootfs mounts, stdio paths and a runtime binary from its request).
#pragma once

namespace mogu::fuzz {

// Call from LLVMFuzzerInitialize, before any input runs. Afterwards the process (still root)
// reads what it could read before, but writes, creates and removes only beneath the
// directories libFuzzer itself writes to (every directory argument, the -artifact_prefix
// directory, else the working directory) and $TMPDIR (else /tmp), writes /dev/null, executes
// nothing but the sanitizers' llvm-symbolizer, and cannot mount (Landlock denies mount(2) to a
// sandboxed process).
// A kernel without Landlock ends the process with exit status 3 and a message saying so,
// unless MOGU_FUZZ_NO_SANDBOX=1 is set (the target then runs unconfined: read the input first).
void enter_write_sandbox(int argc, char** argv);

}  // namespace mogu::fuzz
