#include "runtime/criu/memory_tracking.h"

#include "common/error.h"
#include "runtime/criu/swrk.h"

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
    rpc::criu_features f;
    f.set_lazy_pages(true);
    return check_features(criu_path, f).lazy_pages();
}

void require_lazy_pages(const Binary& criu, const char* verb) {
    if (!serves_lazy_pages(criu.path))
        throw Error("{} --lazy-pages needs userfaultfd (non-cooperative events), which criu {} says this kernel lacks", verb,
                    version_text(criu.version));
}

}  // namespace mogu::runtime::criu
