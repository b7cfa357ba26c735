#include "runtime/cli/output.h"

#include "common/json.h"

#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>

namespace mogu::cli {

void write_state_json(JsonWriter& w, const runtime::ContainerView& v) {
    const auto& s = v.state;
    w.begin_object()
        .kv("ociVersion", s.oci_version)
        .kv("id", s.id)
        .kv("pid", static_cast<long>(s.pid))
        .kv("status", runtime::status_name(v.status))
        .kv("bundle", s.bundle)
        .kv("rootfs", s.rootfs)
        .kv("created", s.created)
        .kv("owner", s.owner);
    if (!s.annotations.empty()) {
        w.key("annotations").begin_object();
        for (const auto& [k, val] : s.annotations) w.kv(k, val);
        w.end_object();
    }
    w.end_object();
}

std::string state_json(const runtime::ContainerView& v) {
    JsonWriter w(true);
    write_state_json(w, v);
    return w.str() + "\n";
}

std::string list_json(const std::vector<runtime::ContainerView>& views) {
    JsonWriter w;
    w.begin_array();
    for (const auto& v : views) write_state_json(w, v);
    w.end_array();
    return w.str() + "\n";
}

std::string tab_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width;
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], std::max<size_t>(r[i].size() + 3, 12));
        }
    std::string out;
    for (const auto& r : rows) {
        for (size_t i = 0; i < r.size(); ++i) {
            out += r[i];
            if (i + 1 < r.size()) out += std::string(width[i] - r[i].size(), ' ');
        }
        out += "\n";
    }
    return out;
}

std::string list_table(const std::vector<runtime::ContainerView>& views) {
    std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& v : views) {
        std::string owner = v.state.owner;
        if (owner.empty()) owner = "root";
        rows.push_back({v.state.id, std::to_string(v.state.pid), runtime::status_name(v.status), v.state.bundle, v.state.created, owner});
    }
    return tab_table(rows);
}

}  // namespace mogu::cli
