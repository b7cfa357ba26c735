// JSON through yajl: a parsed document, read-only views that know their JSON path (for errors
// that name the field), and a writer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct yajl_val_s;
struct yajl_gen_t;

namespace mogu {

// A view of one value inside a JsonDoc. Every accessor that meets the wrong type throws
// SpecError naming this value's path, e.g. "linux.resources.memory.limit: expected an integer, got string".
class Json {
public:
    Json(const yajl_val_s* v, std::string path) : v_(v), path_(std::move(path)) {}

    const std::string& path() const { return path_; }
    std::string type_name() const;
    bool is_null() const;
    bool is_object() const;
    bool is_array() const;
    bool is_string() const;
    bool is_number() const;
    bool is_bool() const;

    // Object members. get() returns nullopt for a missing key or an explicit null.
    std::optional<Json> get(std::string_view key) const;
    void for_each_member(const std::function<void(std::string_view, const Json&)>& fn) const;
    std::vector<std::string> keys() const;

    // Array elements.
    size_t size() const;
    Json at(size_t i) const;
    std::vector<Json> elements() const;

    std::string as_string() const;
    bool as_bool() const;
    int64_t as_int() const;
    uint64_t as_uint() const;
    double as_double() const;
    // Range-checked helpers; the error names the path and the range.
    int64_t as_int_in(int64_t lo, int64_t hi) const;

    // Convenience: typed members with defaults.
    std::string string_or(std::string_view key, std::string def) const;
    std::vector<std::string> string_array(std::string_view key) const;
    // Requires an object here; throws naming the path otherwise.
    const Json& expect_object() const;
    const Json& expect_array() const;

    const yajl_val_s* raw() const { return v_; }

private:
    [[noreturn]] void type_mismatch(const char* wanted) const;
    const yajl_val_s* v_;
    std::string path_;
};

// Owns a parsed document. Syntax errors throw Error naming `source` and yajl's position message.
class JsonDoc {
public:
    static JsonDoc parse(const std::string& text, const std::string& source);
    Json root() const { return Json(root_.get(), ""); }

private:
    struct Free { void operator()(yajl_val_s* v) const; };
    std::unique_ptr<yajl_val_s, Free> root_;
};

class JsonWriter {
public:
    explicit JsonWriter(bool pretty = false);
    ~JsonWriter();
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(int v) { return number(v); }
    JsonWriter& value(unsigned v) { return unumber(v); }
    JsonWriter& value(long v) { return number(v); }
    JsonWriter& value(unsigned long v) { return unumber(v); }
    JsonWriter& value(long long v) { return number(v); }
    JsonWriter& value(unsigned long long v) { return unumber(v); }
    JsonWriter& value(double v);
    JsonWriter& null();
    // Re-emits a parsed value unchanged (used to carry annotations and spec fragments).
    JsonWriter& value(const Json& v);
    JsonWriter& string_array(const std::vector<std::string>& items);

    template <typename T>
    JsonWriter& kv(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    std::string str() const;

private:
    JsonWriter& number(int64_t v);
    JsonWriter& unumber(uint64_t v);
    void check(int status, const char* what);
    yajl_gen_t* g_;
};

}  // namespace mogu
