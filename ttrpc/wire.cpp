#include "ttrpc/wire.h"

#include "common/utf8.h"

namespace mogu::ttrpc::wire {

std::string encode_response(Code code, std::string_view message, std::string_view payload) {
    pbc::Arena arena;
    auto resp = pbc::make<Response>();
    auto* status = arena.make<Mogu__Ttrpc__Wire__Status>();
    resp.status = status;
    if (code != Code::ok) {
        status->code = int32_t(code);
        // An error may quote what it was given (a path, a runtime's output): the caller's decoder
        // refuses a status whose message is not UTF-8.
        status->message = arena.str(to_valid_utf8(message));
    } else {
        resp.payload = arena.bytes(payload);
    }
    return pbc::pack(resp);
}

std::string encode_request(std::string_view service, std::string_view method, std::string_view payload,
                           int timeout_ms, const Metadata& metadata) {
    pbc::Arena arena;
    auto req = pbc::make<Request>();
    req.service = arena.str(service);
    req.method = arena.str(method);
    req.payload = arena.bytes(payload);
    if (timeout_ms > 0) req.timeout_nano = int64_t(timeout_ms) * 1000000;
    req.n_metadata = metadata.size();
    req.metadata = arena.array<Mogu__Ttrpc__Wire__KeyValue>(metadata.size());
    for (size_t i = 0; i < metadata.size(); i++) {
        auto* kv = arena.make<Mogu__Ttrpc__Wire__KeyValue>();
        kv->key = arena.str(metadata[i].first);
        kv->value = arena.str(metadata[i].second);
        req.metadata[i] = kv;
    }
    return pbc::pack(req);
}

}  // namespace mogu::ttrpc::wire
