#include "flattener/image_metadata.h"

#include "common/json.h"
#include "common/strings.h"
#include "flattener/sha256.h"

#include <fmt/core.h>

namespace mogu::flatten {

namespace {
constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciConfigType = "application/vnd.oci.image.config.v1+json";
}  // namespace

std::string rewrite_config(const ImageMetadata& m) {
    const std::vector<std::string>& diff_ids = m.diff_ids;
    const std::vector<std::string>& squashed_ids = m.squashed;
    const int from = m.from;
    const bool keep_history = m.keep_history;
    const size_t squashed = squashed_ids.size();
    auto doc = JsonDoc::parse(m.source.config, "config");
    Json root = doc.root();
    root.expect_object();
    std::vector<Json> history;
    if (auto h = root.get("history")) history = h->elements();
    // History entries that made a layer (no empty_layer) line up with the layers.
    size_t split = 0;
    if (from > 0) {
        split = history.size();
        int seen = 0;
        for (size_t i = 0; i < history.size(); i++) {
            auto e = history[i].get("empty_layer");
            if (e && e->as_bool()) continue;
            if (++seen == from) {
                split = i + 1;
                break;
            }
        }
    }
    // The squashed layer is as new as its newest part: the last history entry's time, if any.
    std::string created = root.string_or("created", "");
    if (split < history.size() && history.back().is_object()) created = history.back().string_or("created", created);
    JsonWriter w;
    auto write_history = [&] {
        w.key("history").begin_array();
        for (size_t i = 0; i < split; i++) w.value(history[i]);
        if (keep_history) {
            for (size_t i = split; i < history.size(); i++) {
                w.begin_object();
                history[i].for_each_member([&](std::string_view k, const Json& v) {
                    if (k != "empty_layer") w.key(k).value(v);
                });
                w.kv("empty_layer", true).end_object();
            }
        }
        w.begin_object();
        if (!created.empty()) w.kv("created", created);
        w.kv("created_by", from > 0 ? fmt::format("mogu-flatten --from {}: {} layers squashed into one", from, squashed)
                                    : fmt::format("mogu-flatten: {} layers squashed into one", squashed));
        w.kv("comment", "squashed diff_ids: " + join(squashed_ids, " "));
        w.end_object();
        w.end_array();
    };
    bool wrote_history = false;
    w.begin_object();
    root.for_each_member([&](std::string_view k, const Json& v) {
        if (k == "rootfs") {
            w.key("rootfs").begin_object().kv("type", "layers").key("diff_ids").string_array(diff_ids).end_object();
        } else if (k == "history") {
            write_history();
            wrote_history = true;
        } else {
            w.key(k).value(v);
        }
    });
    if (!wrote_history) write_history();
    w.end_object();
    return w.str();
}

std::string write_oci_metadata(OutputImage& out, const ImageMetadata& m) {
    std::string config = rewrite_config(m);
    std::string config_digest = out.add_blob(config);
    JsonWriter w;
    w.begin_object().kv("schemaVersion", 2).kv("mediaType", kOciManifestType);
    w.key("config").begin_object().kv("mediaType", kOciConfigType).kv("digest", config_digest);
    w.kv("size", static_cast<uint64_t>(config.size())).end_object();
    w.key("layers").begin_array();
    for (const OutLayer& l : m.layers) {
        if (!l.descriptor.empty()) {
            auto d = JsonDoc::parse(l.descriptor, "layer descriptor");
            w.value(d.root());
            continue;
        }
        w.begin_object().kv("mediaType", l.media_type).kv("digest", l.digest).kv("size", l.size).end_object();
    }
    w.end_array();
    if (!m.source.manifest_annotations.empty()) {
        auto a = JsonDoc::parse(m.source.manifest_annotations, "manifest annotations");
        w.key("annotations").value(a.root());
    }
    w.end_object();
    std::string manifest = w.str();
    std::string manifest_digest = out.add_blob(manifest);
    JsonWriter idx;
    idx.begin_object().kv("schemaVersion", 2).kv("mediaType", kOciIndexType).key("manifests").begin_array();
    idx.begin_object().kv("mediaType", kOciManifestType).kv("digest", manifest_digest);
    idx.kv("size", static_cast<uint64_t>(manifest.size()));
    if (!m.source.ref.empty())
        idx.key("annotations").begin_object().kv("org.opencontainers.image.ref.name", m.source.ref).end_object();
    if (!m.source.platform.empty()) {
        auto p = JsonDoc::parse(m.source.platform, "platform");
        idx.key("platform").value(p.root());
    }
    idx.end_object().end_array().end_object();
    out.add_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    out.add_file("index.json", idx.str());
    return manifest_digest;
}

std::string write_docker_metadata(OutputImage& out, const ImageMetadata& m) {
    std::string config = rewrite_config(m);
    std::string config_digest = out.add_blob(config);
    std::vector<std::string> tags = m.source.repo_tags;
    if (tags.empty() && m.source.ref.find(':') != std::string::npos) tags.push_back(m.source.ref);
    JsonWriter w;
    w.begin_array().begin_object();
    w.kv("Config", "blobs/sha256/" + std::string(digest_hex(config_digest)));
    w.key("RepoTags").string_array(tags);
    w.key("Layers").begin_array();
    for (const OutLayer& l : m.layers) w.value("blobs/sha256/" + std::string(digest_hex(l.digest)));
    w.end_array().end_object().end_array();
    out.add_file("manifest.json", w.str());
    return config_digest;
}

}  // namespace mogu::flatten
