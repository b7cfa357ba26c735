#include "shim/task/wire_values.h"

#include <time.h>

namespace mogu::shim {

Timestamp now_timestamp() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return {int64_t(ts.tv_sec), int32_t(ts.tv_nsec)};
}

pb::wkt::Timestamp* wire_timestamp(pbc::Arena& arena, const Timestamp& t) {
    auto* w = arena.make<pb::wkt::Timestamp>();
    w->seconds = t.seconds;
    w->nanos = t.nanos;
    return w;
}

pb::wkt::Any* wire_any(pbc::Arena& arena, std::string_view type_url, std::string_view value) {
    auto* any = arena.make<pb::wkt::Any>();
    any->type_url = arena.str(type_url);
    any->value = arena.bytes(value);
    return any;
}

}  // namespace mogu::shim
