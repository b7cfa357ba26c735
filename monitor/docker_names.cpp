#include "monitor/docker_names.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/state.h"

#include <sys/stat.h>

namespace mogu::monitor {

std::optional<DockerIdentity> parse_docker_config(const std::string& text, const std::string& source) {
    try {
        auto doc = JsonDoc::parse(text, source);
        Json root = doc.root();
        DockerIdentity id;
        id.name = root.string_or("Name", "");
        if (id.name.starts_with('/')) id.name.erase(0, 1);
        if (auto config = root.get("Config"); config && config->is_object()) id.image = config->string_or("Image", "");
        if (id.name.empty()) return std::nullopt;
        return id;
    } catch (const Error& e) {
        log::debug("{}: not a Docker container config: {}", source, e.what());
        return std::nullopt;
    }
}

std::optional<DockerIdentity> DockerNames::lookup(const std::string& id) {
    // An id is a path component here: refuse what could leave the data root.
    try {
        runtime::validate_container_id(id);
    } catch (const Error&) {
        return std::nullopt;
    }
    auto& e = cache_[id];
    for (const auto& root : roots_) {
        std::string path = root + "/containers/" + id + "/config.v2.json";
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) continue;
        if (e.path == path && e.size == st.st_size && e.mtime.tv_sec == st.st_mtim.tv_sec && e.mtime.tv_nsec == st.st_mtim.tv_nsec)
            return e.identity;
        auto text = read_file_if_exists(path);
        if (!text) continue;
        e.path = path;
        e.size = st.st_size;
        e.mtime = st.st_mtim;
        e.identity = parse_docker_config(*text, path);
        return e.identity;
    }
    e = Entry{};
    return std::nullopt;
}

void DockerNames::keep_only(const std::set<std::string>& ids) {
    for (auto it = cache_.begin(); it != cache_.end();)
        it = ids.count(it->first) ? std::next(it) : cache_.erase(it);
}

}  // namespace mogu::monitor
