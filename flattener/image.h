// The input image as the flattener needs it, whichever format it came in.
#pragma once

#include "flattener/image_files.h"

#include <memory>
#include <string>
#include <vector>

namespace mogu::flatten {

enum class ImageFormat { oci, docker };

struct SourceLayer {
    std::string member;      // file inside the input
    std::string digest;      // of the stored blob; empty when the format gives none (old docker-archive)
    std::string media_type;  // from the manifest; empty for docker-archive
    int64_t size = -1;
    std::string diff_id;     // rootfs.diff_ids[i] of the config
    std::string descriptor;  // the manifest's descriptor JSON, re-emitted for kept base layers
};

struct SourceImage {
    std::unique_ptr<ImageFiles> files;
    ImageFormat format = ImageFormat::oci;
    std::string ref;                      // the ref name or repo tag that picked it (may be empty)
    std::vector<std::string> repo_tags;   // docker-archive RepoTags
    std::string manifest_annotations;     // OCI manifest annotations JSON ("" if none)
    std::string platform;                 // the index descriptor's platform JSON ("" if none)
    std::string config;                   // config JSON as stored
    std::string config_digest;
    std::vector<SourceLayer> layers;      // lowest first
};

// Detects the format (oci-layout + index.json, or manifest.json), picks the image (`ref`, or the
// only one), reads and checks manifest and config. Errors name the file and JSON path.
SourceImage read_image(const std::string& input, const std::string& ref);

std::string_view format_name(ImageFormat f);

}  // namespace mogu::flatten
