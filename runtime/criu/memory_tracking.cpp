#include "runtime/criu/memory_tracking.h"

#include "common/error.h"
#include "runtime/criu/swrk.h"

#include <map>

namespace mogu::runtime::criu {

namespace {

// criu answers a FEATURE_CHECK with the features asked for, each true or false.
rpc::criu_features check_features(const std::string& criu_path, const rpc::criu_features& asked) {
    Swrk probe(criu_path, {});
    rpc::criu_req req;
    req.set_type(rpc::FEATURE_CHECK);
    *req.mutable_features() = asked;
    auto resp = probe.call(req);
    probe.finish();
    return resp.success() ? resp.features() : rpc::criu_features();
}

}  // namespace

bool tracks_dirty_memory(const std::string& criu_path) {
    rpc::criu_features f;
    f.set_mem_track(true);
    return check_features(criu_path, f).mem_track();
}

bool serves_lazy_pages(const std::string& criu_path) {
    // The answer is the kernel's and does not change under a running process: the receiver of a
    // post-copy migration asks before the container is frozen, and its restore gets it from here.
    static std::map<std::string, bool> answers;
    if (auto known = answers.find(criu_path); known != answers.end()) return known->second;
    rpc::criu_features f;
    f.set_lazy_pages(true);
    bool answer = check_features(criu_path, f).lazy_pages();
    answers.emplace(criu_path, answer);
    return answer;
}

void require_lazy_pages(const Binary& criu, const char* verb) {
    if (!serves_lazy_pages(criu.path))
        throw Error("{} --lazy-pages needs userfaultfd (non-cooperative events), which criu {} says this kernel lacks", verb,
                    version_text(criu.version));
}

}  // namespace mogu::runtime::criu
