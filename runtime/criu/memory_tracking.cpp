#include "runtime/criu/memory_tracking.h"

#include "runtime/criu/swrk.h"

namespace mogu::runtime::criu {

bool tracks_dirty_memory(const std::string& criu_path) {
    Swrk probe(criu_path, {});
    rpc::criu_req req;
    req.set_type(rpc::FEATURE_CHECK);
    req.mutable_features()->set_mem_track(true);
    auto resp = probe.call(req);
    probe.finish();
    return resp.success() && resp.features().mem_track();
}

}  // namespace mogu::runtime::criu
