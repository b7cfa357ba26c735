#include "common/json.h"

#include "common/error.h"
#include "common/strings.h"

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace mogu {

using V = const yajl_val_s*;

void JsonDoc::Free::operator()(yajl_val_s* v) const { yajl_tree_free(v); }

namespace {

// yajl's tree parser and its free() recurse once per nesting level: a few hundred thousand
// brackets would overflow the stack. Real configs nest a handful of levels.
constexpr int kMaxJsonDepth = 256;

void check_depth(const std::string& text, const std::string& source) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) throw Error("{}: invalid JSON: nested deeper than {} levels", source, kMaxJsonDepth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

}  // namespace

JsonDoc JsonDoc::parse(const std::string& text, const std::string& source) {
    check_depth(text, source);
    char err[512] = {0};
    yajl_val v = yajl_tree_parse(text.c_str(), err, sizeof err);
    if (!v) {
        std::string msg = err;
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        // yajl prints the offending text on following lines; keep it on one line.
        for (auto& c : msg)
            if (c == '\n') c = ' ';
        throw Error("{}: invalid JSON: {}", source, msg.empty() ? "syntax error" : msg);
    }
    JsonDoc doc;
    doc.root_.reset(v);
    return doc;
}

std::string Json::type_name() const {
    if (!v_ || YAJL_IS_NULL(v_)) return "null";
    if (YAJL_IS_OBJECT(v_)) return "object";
    if (YAJL_IS_ARRAY(v_)) return "array";
    if (YAJL_IS_STRING(v_)) return "string";
    if (YAJL_IS_NUMBER(v_)) return "number";
    return "boolean";
}

bool Json::is_null() const { return !v_ || YAJL_IS_NULL(v_); }
bool Json::is_object() const { return v_ && YAJL_IS_OBJECT(v_); }
bool Json::is_array() const { return v_ && YAJL_IS_ARRAY(v_); }
bool Json::is_string() const { return v_ && YAJL_IS_STRING(v_); }
bool Json::is_number() const { return v_ && YAJL_IS_NUMBER(v_); }
bool Json::is_bool() const { return v_ && (YAJL_IS_TRUE(v_) || YAJL_IS_FALSE(v_)); }

void Json::type_mismatch(const char* wanted) const {
    throw SpecError(path_.empty() ? "(top level)" : path_, "expected {}, got {}", wanted, type_name());
}

static std::string child_path(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// Go's encoding/json, which runc and containerd decode with, matches an object's keys to a
// struct's fields ignoring case, and a key that comes later overrides an earlier one: a config
// with "pagesize" for "pageSize" works with runc, so it works here.
std::optional<Json> Json::get(std::string_view key) const {
    if (!is_object()) type_mismatch("an object");
    const auto& o = v_->u.object;
    std::optional<size_t> found;
    for (size_t i = 0; i < o.len; ++i)
        if (equal_ignoring_ascii_case(key, o.keys[i])) found = i;
    if (!found) return std::nullopt;
    yajl_val value = o.values[*found];
    if (!value || YAJL_IS_NULL(value)) return std::nullopt;
    return Json(value, child_path(path_, o.keys[*found]));
}

void Json::for_each_member(const std::function<void(std::string_view, const Json&)>& fn) const {
    if (!is_object()) type_mismatch("an object");
    const auto& o = v_->u.object;
    for (size_t i = 0; i < o.len; ++i) fn(o.keys[i], Json(o.values[i], child_path(path_, o.keys[i])));
}

std::vector<std::string> Json::keys() const {
    std::vector<std::string> out;
    for_each_member([&](std::string_view k, const Json&) { out.emplace_back(k); });
    return out;
}

size_t Json::size() const {
    if (!is_array()) type_mismatch("an array");
    return v_->u.array.len;
}

Json Json::at(size_t i) const {
    if (i >= size()) throw SpecError(path_, "index {} out of range", i);
    return Json(v_->u.array.values[i], fmt::format("{}[{}]", path_, i));
}

std::vector<Json> Json::elements() const {
    std::vector<Json> out;
    for (size_t i = 0, n = size(); i < n; ++i) out.push_back(at(i));
    return out;
}

std::string Json::as_string() const {
    if (!is_string()) type_mismatch("a string");
    return v_->u.string;
}

bool Json::as_bool() const {
    if (!is_bool()) type_mismatch("a boolean");
    return YAJL_IS_TRUE(v_);
}

// yajl keeps the number's text; parse it ourselves so that values past INT64_MAX and
// fractions are reported rather than silently converted.
int64_t Json::as_int() const {
    if (!is_number()) type_mismatch("an integer");
    const char* r = v_->u.number.r;
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(r, &end, 10);
    if (errno == ERANGE || !end || *end != '\0') throw SpecError(path_, "expected an integer, got {}", r);
    return n;
}

uint64_t Json::as_uint() const {
    if (!is_number()) type_mismatch("a non-negative integer");
    const char* r = v_->u.number.r;
    if (r[0] == '-') throw SpecError(path_, "expected a non-negative integer, got {}", r);
    errno = 0;
    char* end = nullptr;
    unsigned long long n = std::strtoull(r, &end, 10);
    if (errno == ERANGE || !end || *end != '\0') throw SpecError(path_, "expected a non-negative integer, got {}", r);
    return n;
}

double Json::as_double() const {
    if (!is_number()) type_mismatch("a number");
    return std::strtod(v_->u.number.r, nullptr);
}

int64_t Json::as_int_in(int64_t lo, int64_t hi) const {
    int64_t n = as_int();
    if (n < lo || n > hi) throw SpecError(path_, "{} is out of range [{}, {}]", n, lo, hi);
    return n;
}

std::string Json::string_or(std::string_view key, std::string def) const {
    auto v = get(key);
    return v ? v->as_string() : def;
}

std::vector<std::string> Json::string_array(std::string_view key) const {
    std::vector<std::string> out;
    if (auto v = get(key))
        for (const auto& e : v->elements()) out.push_back(e.as_string());
    return out;
}

const Json& Json::expect_object() const {
    if (!is_object()) type_mismatch("an object");
    return *this;
}

const Json& Json::expect_array() const {
    if (!is_array()) type_mismatch("an array");
    return *this;
}

// ---- writer ----

JsonWriter::JsonWriter(bool pretty) : g_(yajl_gen_alloc(nullptr)) {
    if (!g_) throw Error("out of memory allocating a JSON generator");
    yajl_gen_config(g_, yajl_gen_validate_utf8, 1);
    if (pretty) {
        yajl_gen_config(g_, yajl_gen_beautify, 1);
        yajl_gen_config(g_, yajl_gen_indent_string, "  ");
    }
}

JsonWriter::~JsonWriter() { yajl_gen_free(g_); }

void JsonWriter::check(int status, const char* what) {
    if (status != yajl_gen_status_ok) throw Error("JSON generator: {} failed (status {})", what, status);
}

JsonWriter& JsonWriter::begin_object() { check(yajl_gen_map_open(g_), "map open"); return *this; }
JsonWriter& JsonWriter::end_object() { check(yajl_gen_map_close(g_), "map close"); return *this; }
JsonWriter& JsonWriter::begin_array() { check(yajl_gen_array_open(g_), "array open"); return *this; }
JsonWriter& JsonWriter::end_array() { check(yajl_gen_array_close(g_), "array close"); return *this; }
JsonWriter& JsonWriter::key(std::string_view k) { return value(k); }

JsonWriter& JsonWriter::value(std::string_view s) {
    check(yajl_gen_string(g_, reinterpret_cast<const unsigned char*>(s.data()), s.size()), "string");
    return *this;
}
JsonWriter& JsonWriter::value(bool b) { check(yajl_gen_bool(g_, b), "bool"); return *this; }
JsonWriter& JsonWriter::number(int64_t v) { check(yajl_gen_integer(g_, v), "integer"); return *this; }
JsonWriter& JsonWriter::unumber(uint64_t v) {
    std::string s = std::to_string(v);
    check(yajl_gen_number(g_, s.data(), s.size()), "number");
    return *this;
}
JsonWriter& JsonWriter::value(double v) { check(yajl_gen_double(g_, v), "double"); return *this; }
JsonWriter& JsonWriter::null() { check(yajl_gen_null(g_), "null"); return *this; }

JsonWriter& JsonWriter::value(const Json& j) {
    V v = j.raw();
    if (!v || YAJL_IS_NULL(v)) return null();
    if (YAJL_IS_STRING(v)) return value(std::string_view(v->u.string));
    if (YAJL_IS_NUMBER(v)) {
        check(yajl_gen_number(g_, v->u.number.r, std::strlen(v->u.number.r)), "number");
        return *this;
    }
    if (YAJL_IS_TRUE(v)) return value(true);
    if (YAJL_IS_FALSE(v)) return value(false);
    if (YAJL_IS_ARRAY(v)) {
        begin_array();
        for (const auto& e : j.elements()) value(e);
        return end_array();
    }
    begin_object();
    j.for_each_member([&](std::string_view k, const Json& m) {
        key(k);
        value(m);
    });
    return end_object();
}

JsonWriter& JsonWriter::string_array(const std::vector<std::string>& items) {
    begin_array();
    for (const auto& s : items) value(s);
    return end_array();
}

std::string JsonWriter::str() const {
    const unsigned char* buf;
    size_t len;
    yajl_gen_get_buf(g_, &buf, &len);
    return std::string(reinterpret_cast<const char*>(buf), len);
}

}  // namespace mogu
