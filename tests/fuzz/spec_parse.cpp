// Fuzz target: bytes -> JsonDoc -> config.json, process.json and resources.json parsers -> the
// runtime's checks of a parsed spec. The input is what a user (or containerd) writes to
// <bundle>/config.json, `exec --process FILE` or `update --resources FILE`.
//
// Expected outcome for bad input: a mogu::Error (or subclass) with a message. Anything else is a
// finding: a sanitizer report, a leak, an exception of another type (which would print as
// "mogu: stoul" or terminate), a hang, or an input accepted in breach of a rule the parser
// promises (checked below, after a successful parse).
#include "common/error.h"
#include "common/json.h"
#include "common/oci/spec.h"
#include "runtime/spec_validate.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mogu;

namespace {

std::string bundle;  // <tmp>/bundle with an empty rootfs/ directory in it

bool absolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

// What parse_process guarantees of a process it returns.
void check_process(const oci::Process& p) {
    fuzz::require(!p.args.empty(), "parse_process accepted a process without args");
    fuzz::require(absolute(p.cwd), "parse_process accepted a relative cwd");
    for (const auto& e : p.env) fuzz::require(e.find('=') != std::string::npos, "parse_process accepted env without '='");
    for (const auto& r : p.rlimits) fuzz::require(r.resource >= 0 && r.soft <= r.hard, "parse_process accepted a bad rlimit");
    if (p.oom_score_adj) fuzz::require(*p.oom_score_adj >= -1000 && *p.oom_score_adj <= 1000, "oomScoreAdj out of range");
    if (p.user.umask) fuzz::require(*p.user.umask <= 07777, "umask out of range");
}

// What parse_resources guarantees.
void check_resources(const oci::Resources& r) {
    for (const auto& d : r.devices) {
        fuzz::require(d.type == 'a' || d.type == 'b' || d.type == 'c', "device rule type not a/b/c");
        fuzz::require(!d.access.empty() && d.access.find_first_not_of("rwm") == std::string::npos, "device rule access not rwm");
        if (d.major) fuzz::require(*d.major >= 0, "device rule major below 0 kept");
        if (d.minor) fuzz::require(*d.minor >= 0, "device rule minor below 0 kept");
    }
    if (r.memory) {
        for (auto v : {r.memory->limit, r.memory->reservation, r.memory->swap})
            if (v) fuzz::require(*v >= -1, "memory value below -1 accepted");
        if (r.memory->swappiness) fuzz::require(*r.memory->swappiness <= 100, "swappiness above 100 accepted");
    }
    if (r.block_io) {
        if (r.block_io->weight) fuzz::require(*r.block_io->weight <= 1000, "blkio weight above 1000 accepted");
        for (const auto& w : r.block_io->weight_device)
            if (w.weight) fuzz::require(*w.weight <= 1000, "blkio device weight above 1000 accepted");
    }
}

// What parse_spec guarantees of a whole config.
void check_spec(const oci::Spec& s) {
    fuzz::require(!s.root.path.empty(), "parse_spec accepted an empty root.path");
    if (s.process) check_process(*s.process);
    for (const auto& m : s.mounts) fuzz::require(absolute(m.destination), "parse_spec accepted a relative mount destination");
    for (const auto* list : {&s.hooks.prestart, &s.hooks.create_runtime, &s.hooks.create_container, &s.hooks.start_container,
                             &s.hooks.poststart, &s.hooks.poststop})
        for (const auto& h : *list) {
            fuzz::require(absolute(h.path), "parse_spec accepted a relative hook path");
            if (h.timeout) fuzz::require(*h.timeout > 0, "parse_spec accepted a non-positive hook timeout");
        }
    if (!s.linux) return;
    const auto& l = *s.linux;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        if (!l.namespaces[i].path.empty()) fuzz::require(absolute(l.namespaces[i].path), "relative namespace path accepted");
        for (size_t j = 0; j < i; ++j) fuzz::require(l.namespaces[i].type != l.namespaces[j].type, "namespace listed twice accepted");
    }
    for (const auto* maps : {&l.uid_mappings, &l.gid_mappings})
        for (const auto& m : *maps) fuzz::require(m.size > 0, "id mapping of size 0 accepted");
    for (const auto& d : l.devices) {
        fuzz::require(absolute(d.path), "relative device path accepted");
        fuzz::require(d.type == 'c' || d.type == 'b' || d.type == 'u' || d.type == 'p', "device type not c/b/u/p");
        if (d.file_mode) fuzz::require(*d.file_mode <= 07777, "device fileMode above 07777 accepted");
    }
    for (const auto* paths : {&l.masked_paths, &l.readonly_paths})
        for (const auto& p : *paths) fuzz::require(absolute(p), "relative masked/readonly path accepted");
    if (l.resources) check_resources(*l.resources);
    if (l.seccomp)
        for (const auto& c : l.seccomp->syscalls) {
            fuzz::require(!c.names.empty(), "seccomp rule without names accepted");
            for (const auto& a : c.args) fuzz::require(a.index <= 5, "seccomp arg index above 5 accepted");
        }
}

// A spec validate_sysctl let through has only names it can write under /proc/sys.
void check_sysctl_names(const oci::Spec& s) {
    if (!s.linux) return;
    for (const auto& [key, value] : s.linux->sysctl) {
        fuzz::require(!key.empty() && key.find("..") == std::string::npos && key.find('/') == std::string::npos,
                      "validate_sysctl accepted a name that escapes /proc/sys");
    }
}

template <typename F>
void expect_mogu_error_or_success(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        fuzz::require(e.what()[0] != '\0', "a mogu::Error with an empty message");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    bundle = fuzz::make_temp_dir("mogu-fuzz-spec") + "/bundle";
    fuzz::make_dir(bundle);
    fuzz::make_dir(bundle + "/rootfs");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto doc = JsonDoc::parse(text, "config.json");
        Json root = doc.root();

        // The writer re-emits parsed values (annotations, state): parse -> write -> parse -> write
        // must reach a fixed point after one round.
        expect_mogu_error_or_success([&] {
            JsonWriter w1;
            w1.value(root);
            auto again = JsonDoc::parse(w1.str(), "round trip");
            JsonWriter w2;
            w2.value(again.root());
            fuzz::require(w1.str() == w2.str(), "JsonWriter output does not survive a second parse and write");
        });

        expect_mogu_error_or_success([&] {
            oci::Spec spec = oci::parse_spec(root);
            check_spec(spec);
            expect_mogu_error_or_success([&] {
                runtime::validate_sysctl(spec);
                check_sysctl_names(spec);
            });
            // Touches the disk only to resolve root.path (realpath + stat): a relative root is
            // resolved inside `bundle`, which holds an empty rootfs/.
            std::string rootfs = runtime::validate_for_create(spec, bundle);
            fuzz::require(absolute(rootfs), "validate_for_create returned a relative rootfs");
            fuzz::require(spec.process.has_value() && spec.linux.has_value(), "validate_for_create accepted a spec without process or linux");
            fuzz::require(spec.linux->find_namespace(oci::NamespaceType::mount) != nullptr,
                          "validate_for_create accepted a spec without a mount namespace");
        });
        // `exec --process FILE`: a process object at the top level.
        expect_mogu_error_or_success([&] { check_process(oci::parse_process(root)); });
        // `update --resources FILE`: linux.resources at the top level.
        expect_mogu_error_or_success([&] { check_resources(oci::parse_resources(root)); });
    } catch (const Error&) {
        // Invalid JSON: the expected outcome for most inputs.
    } catch (const std::bad_alloc&) {
        // Only reachable for inputs near -rss_limit_mb; ASan reports real allocation bugs itself.
    }
    // Any other exception escapes to libFuzzer, which reports it as a crash with the input.
    return 0;
}
