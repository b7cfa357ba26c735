// mogu features: what this runtime supports, in the OCI runtime-spec "features" format.
#include "common/json.h"
#include "runtime/cli/command.h"
#include "runtime/security/capabilities.h"
#include "runtime/security/seccomp.h"
#include "runtime/version.h"

#include <cstdio>

namespace mogu::cli {

static int run_features(const runtime::Context&, const Args& a) {
    a.require_positional(0, 0);
    JsonWriter w(true);
    w.begin_object().kv("ociVersionMin", "1.0.0").kv("ociVersionMax", kOciSpecVersion);
    w.key("hooks").string_array({"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"});
    w.key("mountOptions").string_array({"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand",
                                        "noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime",
                                        "nosuid", "private", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec",
                                        "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnosuid", "ro", "rprivate", "rrelatime",
                                        "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "runbindable", "rw",
                                        "shared", "slave", "strictatime", "suid", "sync", "unbindable"});
    w.key("linux").begin_object();
    w.key("namespaces").string_array({"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"});
    w.key("capabilities").string_array(runtime::known_capability_names());
    w.key("cgroup").begin_object().kv("v1", true).kv("v2", true).kv("systemd", false).kv("systemdUser", false).end_object();
    w.key("seccomp").begin_object().kv("enabled", true);
    w.key("actions").string_array(runtime::seccomp_known_actions());
    w.key("operators").string_array(runtime::seccomp_known_operators());
    w.key("archs").string_array(runtime::seccomp_known_archs());
    w.key("knownFlags").string_array(runtime::seccomp_known_flags());
    w.key("supportedFlags").string_array(runtime::seccomp_known_flags());
    w.end_object();
    w.key("apparmor").begin_object().kv("enabled", false).end_object();
    w.key("selinux").begin_object().kv("enabled", false).end_object();
    w.end_object();
    w.key("annotations").begin_object().kv("io.mogu.version", kMoguVersion).end_object();
    w.end_object();
    std::string out = w.str() + "\n";
    fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

const Command features_command = {"features", "features", "show the enabled features", {}, run_features};

}  // namespace mogu::cli
