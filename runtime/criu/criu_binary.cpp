#include "runtime/criu/criu_binary.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "runtime/criu/swrk.h"

#include <unistd.h>

#include <map>

#ifndef MOGU_CRIU_PREFIX
#define MOGU_CRIU_PREFIX "/opt/mogu/criu"
#endif

namespace mogu::runtime::criu {
namespace {

constexpr const char* kFix = "run 'make deps' (it builds criu 4.1 into " MOGU_CRIU_PREFIX ") or name one with 'mogu --criu PATH'";

}  // namespace

std::string private_criu_path() { return MOGU_CRIU_PREFIX "/sbin/criu"; }

std::string version_text(int v) { return fmt::format("{}.{}.{}", v / 10000, v / 100 % 100, v % 100); }

Binary find_binary(const std::string& explicit_path) {
    Binary b;
    if (!explicit_path.empty()) {
        if (::access(explicit_path.c_str(), X_OK) != 0)
            throw SysError(errno, "criu {} (from --criu) cannot be run; {}", explicit_path, kFix);
        b.path = explicit_path;
    } else if (::access(private_criu_path().c_str(), X_OK) == 0) {
        b.path = private_criu_path();
    } else {
        b.path = find_executable("criu");
        if (b.path.empty()) throw Error("checkpoint/restore needs criu {} or newer, and none was found in {} or on PATH; {}",
                                        version_text(kMinimumVersion), MOGU_CRIU_PREFIX, kFix);
    }
    // Asked once per process and path: a migration finds criu for every round and for its
    // restore, and each question is a criu started (0.3 s under emulation, inside the freeze).
    static std::map<std::string, int> versions;
    if (auto known = versions.find(b.path); known != versions.end()) {
        b.version = known->second;
    } else {
        try {
            b.version = version_of(b.path);
        } catch (const Error& e) {
            throw Error("{} does not work as criu ({}); {}", b.path, e.what(), kFix);
        }
        versions.emplace(b.path, b.version);
    }
    if (b.version < kMinimumVersion)
        throw Error("{} is criu {}, too old for this kernel (mogu needs {} or newer); {}", b.path, version_text(b.version),
                    version_text(kMinimumVersion), kFix);
    log::debug("criu {} at {}", version_text(b.version), b.path);
    return b;
}

}  // namespace mogu::runtime::criu
