#include "common/protobuf_c.h"

#include "common/utf8.h"

namespace mogu::pbc {

bool strings_are_utf8(const ProtobufCMessage& m) {
    const ProtobufCMessageDescriptor* d = m.descriptor;
    const char* base = reinterpret_cast<const char*>(&m);
    auto field = [&](const ProtobufCFieldDescriptor& f) { return base + f.offset; };
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor& f = d->fields[i];
        if (f.type != PROTOBUF_C_TYPE_STRING && f.type != PROTOBUF_C_TYPE_MESSAGE) continue;
        // A oneof's members share their storage: only the one set may be read.
        if ((f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && *reinterpret_cast<const uint32_t*>(base + f.quantifier_offset) != f.id)
            continue;
        size_t n = 1;
        const void* const* items = reinterpret_cast<const void* const*>(field(f));
        if (f.label == PROTOBUF_C_LABEL_REPEATED) {
            n = *reinterpret_cast<const size_t*>(base + f.quantifier_offset);
            items = *reinterpret_cast<const void* const* const*>(field(f));
        }
        for (size_t k = 0; k < n; k++) {
            if (!items[k]) continue;
            if (f.type == PROTOBUF_C_TYPE_STRING) {
                if (!is_valid_utf8(static_cast<const char*>(items[k]))) return false;
            } else if (!strings_are_utf8(*static_cast<const ProtobufCMessage*>(items[k]))) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace mogu::pbc
