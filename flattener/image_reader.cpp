#include "flattener/image.h"

#include "common/error.h"
#include "common/json.h"
#include "common/strings.h"
#include "flattener/sha256.h"

namespace mogu::flatten {

namespace {

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

// Runs fn, prefixing JSON-path errors with the file they are about.
template <typename F>
auto in_file(const std::string& file, F fn) {
    try {
        return fn();
    } catch (const SpecError& e) {
        throw Error("{}: {}", file, e.what());
    }
}

std::string to_json(const Json& v) {
    JsonWriter w;
    w.value(v);
    return w.str();
}

std::string blob_member(const std::string& digest, const std::string& where) {
    if (digest.substr(0, 7) != "sha256:") throw SpecError(where, "unsupported digest algorithm in \"{}\"", digest);
    if (!is_sha256_digest(digest)) throw SpecError(where, "malformed digest \"{}\"", digest);
    return "blobs/sha256/" + std::string(digest_hex(digest));
}

// Reads a descriptor's blob and checks its size and digest.
std::string read_blob(const ImageFiles& files, const std::string& digest, int64_t size, const std::string& from) {
    std::string member = blob_member(digest, from);
    if (!files.exists(member)) throw Error("{}: {}: blob {} is not in the image", files.where(), from, digest);
    std::string data = files.read(member);
    if (size >= 0 && data.size() != static_cast<uint64_t>(size))
        throw Error("{}: {}: blob {} has {} bytes, the descriptor says {}", files.where(), from, digest, data.size(),
                    size);
    std::string got = sha256_of(data);
    if (got != digest) throw Error("{}: {}: blob {} does not match its digest (content is {})", files.where(), from,
                                   digest, got);
    return data;
}

std::vector<std::string> diff_ids_of(const std::string& config, const std::string& name) {
    auto doc = JsonDoc::parse(config, name);
    return in_file(name, [&] {
        auto root = doc.root();
        root.expect_object();
        auto rootfs = root.get("rootfs");
        if (!rootfs) throw SpecError("rootfs", "missing");
        auto ids = rootfs->get("diff_ids");
        if (!ids) throw SpecError("rootfs.diff_ids", "missing");
        std::vector<std::string> out;
        for (const Json& id : ids->elements()) {
            std::string s = id.as_string();
            if (!is_sha256_digest(s)) throw SpecError(id.path(), "malformed digest \"{}\"", s);
            out.push_back(s);
        }
        return out;
    });
}

std::string ref_of(const Json& desc) {
    if (auto a = desc.get("annotations")) {
        if (auto r = a->get("org.opencontainers.image.ref.name")) return r->as_string();
        if (auto r = a->get("io.containerd.image.name")) return r->as_string();
    }
    return "";
}

void read_oci(SourceImage& img, const std::string& want) {
    const ImageFiles& files = *img.files;
    std::string index = files.read("index.json");
    auto doc = JsonDoc::parse(index, "index.json");
    std::string manifest_digest;
    int64_t manifest_size = -1;
    std::string media, from;
    in_file("index.json", [&] {
        auto root = doc.root();
        root.expect_object();
        auto manifests = root.get("manifests");
        if (!manifests) throw SpecError("manifests", "missing");
        auto list = manifests->elements();
        if (list.empty()) throw SpecError("manifests", "the index lists no image");
        std::vector<std::string> refs;
        const Json* pick = nullptr;
        for (const Json& d : list) {
            std::string r = ref_of(d);
            refs.push_back(r.empty() ? d.string_or("digest", "?") : r);
            if (!want.empty() && r == want) pick = &d;
        }
        if (!want.empty() && !pick)
            throw Error("{}: no image named \"{}\" (it has: {})", files.where(), want, join(refs, ", "));
        if (want.empty() && list.size() > 1)
            throw Error("{}: {} images ({}); pick one with --ref", files.where(), list.size(), join(refs, ", "));
        if (!pick) pick = &list[0];
        img.ref = ref_of(*pick);
        if (auto p = pick->get("platform")) img.platform = to_json(*p);
        auto d = pick->get("digest");
        if (!d) throw SpecError(pick->path() + ".digest", "missing");
        manifest_digest = d->as_string();
        if (auto s = pick->get("size")) manifest_size = s->as_int();
        media = pick->string_or("mediaType", "");
        from = "index.json: " + pick->path();
        blob_member(manifest_digest, pick->path() + ".digest");
    });
    std::string manifest = read_blob(files, manifest_digest, manifest_size, from);
    auto mdoc = JsonDoc::parse(manifest, "manifest " + manifest_digest);
    std::string mname = "manifest " + manifest_digest;
    if (media.empty()) media = in_file(mname, [&] { return mdoc.root().string_or("mediaType", ""); });
    if (media == kOciIndex || media == kDockerList) {
        // A nested index (multi-platform): follow it when it holds one image.
        std::string inner_digest;
        int64_t inner_size = -1;
        in_file(mname, [&] {
            auto list = mdoc.root().get("manifests");
            if (!list || list->size() != 1)
                throw Error("{}: {} is a multi-platform index of {} images; flatten one platform's image", files.where(), mname,
                            list ? list->size() : 0);
            auto d = list->at(0);
            inner_digest = d.string_or("digest", "");
            blob_member(inner_digest, d.path() + ".digest");
            if (auto s = d.get("size")) inner_size = s->as_int();
            if (auto p = d.get("platform")) img.platform = to_json(*p);
        });
        manifest = read_blob(files, inner_digest, inner_size, mname + ": manifests[0]");
        mname = "manifest " + inner_digest;
        mdoc = JsonDoc::parse(manifest, mname);
    } else if (!media.empty() && media != kOciManifest && media != kDockerManifest) {
        throw Error("{}: unsupported media type \"{}\"", from, media);
    }
    std::string config_digest;
    int64_t config_size = -1;
    in_file(mname, [&] {
        auto root = mdoc.root();
        root.expect_object();
        if (auto a = root.get("annotations")) img.manifest_annotations = to_json(*a);
        auto c = root.get("config");
        if (!c) throw SpecError("config", "missing");
        config_digest = c->string_or("digest", "");
        blob_member(config_digest, "config.digest");
        if (auto s = c->get("size")) config_size = s->as_int();
        auto layers = root.get("layers");
        if (!layers) throw SpecError("layers", "missing");
        for (const Json& l : layers->elements()) {
            SourceLayer sl;
            auto d = l.get("digest");
            if (!d) throw SpecError(l.path() + ".digest", "missing");
            sl.digest = d->as_string();
            sl.member = blob_member(sl.digest, l.path() + ".digest");
            if (auto s = l.get("size")) sl.size = s->as_int();
            sl.media_type = l.string_or("mediaType", "");
            sl.descriptor = to_json(l);
            if (!files.exists(sl.member))
                throw Error("{}: {}: {}: blob {} is not in the image", files.where(), mname, l.path(), sl.digest);
            img.layers.push_back(std::move(sl));
        }
    });
    img.config = read_blob(files, config_digest, config_size, mname + ": config");
    img.config_digest = config_digest;
}

// A docker reference in full: "busybox" and "docker.io/library/busybox:latest" are one image.
std::string docker_ref(std::string r) {
    size_t slash = r.find('/');
    std::string first = slash == std::string::npos ? "" : r.substr(0, slash);
    bool has_domain = !first.empty() && (first.find('.') != std::string::npos ||
                                         first.find(':') != std::string::npos || first == "localhost");
    if (!has_domain) r = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + r;
    size_t last_slash = r.rfind('/');
    if (r.find(':', last_slash) == std::string::npos && r.find('@') == std::string::npos) r += ":latest";
    return r;
}

void read_docker(SourceImage& img, const std::string& want) {
    const ImageFiles& files = *img.files;
    std::string text = files.read("manifest.json");
    auto doc = JsonDoc::parse(text, "manifest.json");
    std::string config_member;
    in_file("manifest.json", [&] {
        auto list = doc.root().elements();
        if (list.empty()) throw SpecError("(top level)", "the archive lists no image");
        const Json* pick = nullptr;
        std::vector<std::string> names;
        for (const Json& m : list) {
            std::vector<std::string> tags = m.get("RepoTags") ? m.string_array("RepoTags") : std::vector<std::string>{};
            names.push_back(tags.empty() ? m.string_or("Config", "?") : join(tags, " "));
            for (auto& t : tags)
                if (!want.empty() && docker_ref(t) == docker_ref(want)) pick = &m;
        }
        if (!want.empty() && !pick)
            throw Error("{}: no image tagged \"{}\" (it has: {})", files.where(), want, join(names, ", "));
        if (want.empty() && list.size() > 1)
            throw Error("{}: {} images ({}); pick one with --ref", files.where(), list.size(), join(names, ", "));
        if (!pick) pick = &list[0];
        if (pick->get("RepoTags")) img.repo_tags = pick->string_array("RepoTags");
        img.ref = want.empty() ? (img.repo_tags.empty() ? "" : img.repo_tags[0]) : want;
        auto c = pick->get("Config");
        if (!c) throw SpecError(pick->path() + ".Config", "missing");
        auto cm = normalize_member(c->as_string());
        if (!cm) throw SpecError(c->path(), "path \"{}\" leaves the archive", c->as_string());
        config_member = *cm;
        if (!files.exists(config_member))
            throw Error("{}: {} is missing (manifest.json: {})", files.where(), config_member, c->path());
        auto layers = pick->get("Layers");
        if (!layers) throw SpecError(pick->path() + ".Layers", "missing");
        for (const Json& l : layers->elements()) {
            SourceLayer sl;
            auto m = normalize_member(l.as_string());
            if (!m) throw SpecError(l.path(), "path \"{}\" leaves the archive", l.as_string());
            sl.member = *m;
            if (!files.exists(sl.member))
                throw Error("{}: {} is missing (manifest.json: {})", files.where(), sl.member, l.path());
            sl.size = static_cast<int64_t>(files.size(sl.member));
            // Docker 25+ names layers by digest: then the name is checked too.
            if (sl.member.size() == 13 + 64 && sl.member.substr(0, 13) == "blobs/sha256/")
                sl.digest = "sha256:" + sl.member.substr(13);
            img.layers.push_back(std::move(sl));
        }
    });
    img.config = files.read(config_member);
    img.config_digest = sha256_of(img.config);
    // Classic archives name the config <hex>.json, newer ones blobs/sha256/<hex>: either way a digest.
    std::string hex;
    if (config_member.size() == 64 + 5 && config_member.substr(64) == ".json") hex = config_member.substr(0, 64);
    if (config_member.size() == 13 + 64 && config_member.substr(0, 13) == "blobs/sha256/") hex = config_member.substr(13);
    if (!hex.empty() && img.config_digest != "sha256:" + hex)
        throw Error("{}: {} does not match its digest (content is {})", files.where(), config_member,
                    img.config_digest);
}

}  // namespace

std::string_view format_name(ImageFormat f) { return f == ImageFormat::oci ? "oci" : "docker"; }

SourceImage read_image(const std::string& input, const std::string& ref) {
    SourceImage img;
    img.files = open_image_files(input);
    const ImageFiles& files = *img.files;
    try {
        if (files.exists("manifest.json")) {
            img.format = ImageFormat::docker;
            read_docker(img, ref);
        } else if (files.exists("index.json")) {
            if (!files.exists("oci-layout"))
                throw Error("{}: index.json without oci-layout: not an OCI image layout", files.where());
            img.format = ImageFormat::oci;
            read_oci(img, ref);
        } else {
            throw Error("{}: neither an OCI image layout (index.json) nor a docker-archive (manifest.json)",
                        files.where());
        }
    } catch (const SpecError& e) {
        throw Error("{}: {}", files.where(), e.what());
    }
    auto ids = diff_ids_of(img.config, "config " + img.config_digest);
    if (ids.size() != img.layers.size())
        throw Error("{}: the manifest has {} layers but the config's rootfs.diff_ids has {}", files.where(),
                    img.layers.size(), ids.size());
    for (size_t i = 0; i < ids.size(); i++) img.layers[i].diff_id = ids[i];
    if (img.layers.empty()) throw Error("{}: the image has no layers", files.where());
    return img;
}

}  // namespace mogu::flatten
