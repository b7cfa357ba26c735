// Failpoints: named places where a test build can make the process die or a step fail, to check
// that every interrupted create, start, exec or delete can still be cleaned up.
//
//   MOGU_FAILPOINT=<name>:<action>[,<name>:<action>...]
//   actions: kill    SIGKILL this process there (as a crash or an OOM kill would)
//            enospc, emfile, eintr
//                    the step fails with that errno (a SysError, through the normal error path)
//            pause   wait there until the first line of MOGU_FAILPOINT_FILE no longer names this
//                    failpoint (at most 60 s), then go on: a test does something meanwhile
//                    (kills containerd mid-create) and releases it by emptying the file
//   a name alone means <name>:kill. Without MOGU_FAILPOINT, the first line of the file named by
//   MOGU_FAILPOINT_FILE is read instead, at every failpoint: a test sets it once in a daemon's
//   environment (containerd, and through it every shim and mogu) and changes the file per case.
//
// Compiled in only where MOGU_FAILPOINTS is defined (`make FAILPOINTS=1`, the build-fp/ binaries
// the fault tests use; the snapshotter always, its VM suite crashes it on purpose); elsewhere
// failpoint() is an empty inline function and the environment is never read.
#pragma once

namespace mogu {

// Acts on the failpoint `name` when MOGU_FAILPOINT names it: never returns for `kill`, throws
// SysError for an errno action. Reads the environment on every call (failpoints are rare).
void failpoint_hit(const char* name);

#ifdef MOGU_FAILPOINTS
inline void failpoint(const char* name) { failpoint_hit(name); }
#else
inline void failpoint(const char*) {}
#endif

}  // namespace mogu
