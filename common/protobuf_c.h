// protobuf-c messages from C++. The shim and ttrpc's wire messages are protobuf-c's generated C
// structs (mk/rules.mk: *.pb-c.{c,h}): a ~30 kB C runtime where the C++ protobuf runtime, its
// generated classes and the iostreams it pulls in were ~1 MB of every shim's text
// (docs/benchmarks.md). What C++ code needs around them:
//   descriptor_of<T>  the generated descriptor of struct T (declared by the MOGU_PROTOBUF_C_TYPE
//                     lines mk/protobuf-c-types writes from protobuf-c's headers)
//   unpack<T>(bytes)  a parsed message that frees itself, or null for bytes that are not a T
//   make<T>()         a message with its defaults, on the stack or in an Arena
//   Arena             the messages, strings and arrays one answer is built from, alive until packed
//   pack(m)           the wire bytes
//   str()/bytes()     a field's value as a std::string_view
//   borrow(s)         a string field pointing at a string that outlives the packing
#pragma once

#include <protobuf-c/protobuf-c.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mogu::pbc {

// Specialised for each generated struct by MOGU_PROTOBUF_C_TYPE (inside namespace mogu::pbc).
template <typename T>
inline constexpr const ProtobufCMessageDescriptor* descriptor_of = nullptr;

#define MOGU_PROTOBUF_C_TYPE(Type, descriptor) \
    template <>                                \
    inline constexpr const ProtobufCMessageDescriptor* descriptor_of<Type> = &(descriptor)

template <typename T>
struct UnpackedDeleter {
    void operator()(T* m) const { protobuf_c_message_free_unpacked(&m->base, nullptr); }
};
template <typename T>
using Unpacked = std::unique_ptr<T, UnpackedDeleter<T>>;

// Whether every string field of m and of the messages in it is valid UTF-8.
bool strings_are_utf8(const ProtobufCMessage& m);

// Null when bytes are not a valid T: truncated, a wrong wire type, a bad length, out of memory,
// or a string field that is not UTF-8 (refused by Go's and C++'s proto3 decoders too; protobuf-c
// does not check, and a message echoed back in an error would then be one containerd cannot read).
template <typename T>
Unpacked<T> unpack(std::string_view bytes) {
    static_assert(descriptor_of<T> != nullptr, "no MOGU_PROTOBUF_C_TYPE for this message");
    Unpacked<T> m(reinterpret_cast<T*>(protobuf_c_message_unpack(
        descriptor_of<T>, nullptr, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()))));
    if (m && !strings_are_utf8(m->base)) m.reset();
    return m;
}

// The message's full protobuf name ("containerd.task.v2.StateRequest"), a google.protobuf.Any's
// type URL as containerd writes it.
template <typename T>
std::string_view type_name() {
    static_assert(descriptor_of<T> != nullptr, "no MOGU_PROTOBUF_C_TYPE for this message");
    return descriptor_of<T>->name;
}

template <typename T>
T make() {
    static_assert(descriptor_of<T> != nullptr, "no MOGU_PROTOBUF_C_TYPE for this message");
    T m;
    protobuf_c_message_init(descriptor_of<T>, &m);
    return m;
}

inline std::string pack(const ProtobufCMessage& m) {
    std::string out(protobuf_c_message_get_packed_size(&m), '\0');
    protobuf_c_message_pack(&m, reinterpret_cast<uint8_t*>(out.data()));
    return out;
}
template <typename T>
std::string pack(const T& m) {
    return pack(m.base);
}

// A string field read as a view (protobuf-c leaves unset strings as "", a null only in a message
// built by hand).
inline std::string_view str(const char* s) { return s ? std::string_view(s) : std::string_view(); }
inline std::string_view bytes(const ProtobufCBinaryData& b) {
    return b.data ? std::string_view(reinterpret_cast<const char*>(b.data), b.len) : std::string_view();
}

// A string for a field of a message that is packed while s still lives: protobuf-c's string
// fields are char* in messages it also unpacks, but pack() only reads them.
inline char* borrow(const std::string& s) { return const_cast<char*>(s.c_str()); }
inline char* borrow(const char* s) { return const_cast<char*>(s); }

// Owns what a message being built points to: sub-messages, strings, byte fields and arrays of
// pointers. Everything lives until the Arena goes, so pack() before that.
class Arena {
public:
    template <typename T>
    T* make() {
        auto m = std::make_shared<T>(pbc::make<T>());
        owned_.push_back(m);
        return m.get();
    }
    char* str(std::string_view s) {
        auto copy = std::make_shared<std::string>(s);
        owned_.push_back(copy);
        return copy->data();
    }
    ProtobufCBinaryData bytes(std::string_view s) {
        auto copy = std::make_shared<std::string>(s);
        owned_.push_back(copy);
        return {copy->size(), reinterpret_cast<uint8_t*>(copy->data())};
    }
    // An array of n pointers (repeated message or string fields), all null.
    template <typename T>
    T** array(size_t n) {
        auto a = std::make_shared<std::vector<T*>>(n, nullptr);
        owned_.push_back(a);
        return a->data();
    }
    // An array of n values (repeated scalar fields), all zero.
    template <typename T>
    T* values(size_t n) {
        auto a = std::make_shared<std::vector<T>>(n, T{});
        owned_.push_back(a);
        return a->data();
    }

private:
    std::vector<std::shared_ptr<void>> owned_;
};

}  // namespace mogu::pbc
