// `mogu check`'s two outputs. The text is for people (one line per finding, the fix under it);
// the JSON is for scripts and carries the same fields.
#include "common/json.h"
#include "runtime/node/finding.h"

#include <fmt/core.h>

namespace mogu::node {

std::string report_text(const Report& r) {
    std::string out = fmt::format("kernel {} (config: {})\n", r.kernel_release,
                                  r.config_source.empty() ? "not found, probed only" : r.config_source);
    for (const auto& f : r.findings) {
        out += fmt::format("{:<5} {:<9} {}: {}\n", level_name(f.level), f.area, f.name, f.detail);
        if (f.level != Level::ok && !f.fix.empty()) out += fmt::format("{:16}fix: {}\n", "", f.fix);
    }
    out += fmt::format("{} ok, {} warnings, {} failures\n", r.count(Level::ok), r.count(Level::warn), r.count(Level::fail));
    return out;
}

std::string report_json(const Report& r) {
    JsonWriter w(true);
    w.begin_object();
    w.kv("kernel", r.kernel_release);
    w.key("config_source");
    if (r.config_source.empty()) w.null();
    else w.value(r.config_source);
    w.kv("exit_code", r.exit_code());
    w.key("summary").begin_object();
    w.kv("ok", r.count(Level::ok)).kv("warn", r.count(Level::warn)).kv("fail", r.count(Level::fail));
    w.end_object();
    w.key("checks").begin_array();
    for (const auto& f : r.findings) {
        w.begin_object().kv("area", f.area).kv("name", f.name).kv("level", level_name(f.level)).kv("detail", f.detail);
        w.key("fix");
        if (f.fix.empty()) w.null();
        else w.value(f.fix);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.str() + "\n";
}

}  // namespace mogu::node
