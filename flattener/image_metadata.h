// The output image's metadata: the config with rewritten rootfs and history, and the manifest
// and index (OCI) or manifest.json (docker-archive) naming the blobs by their true digests.
#pragma once

#include "flattener/image.h"
#include "flattener/output_image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::flatten {

// One layer of the output.
struct OutLayer {
    std::string digest;
    int64_t size;
    std::string media_type;
    std::string descriptor;  // the input's descriptor JSON, kept verbatim for base layers
};

struct ImageMetadata {
    const SourceImage& source;
    const std::vector<OutLayer>& layers;       // base layers, then the new one
    const std::vector<std::string>& diff_ids;  // likewise
    const std::vector<std::string>& squashed;  // diff_ids of the squashed input layers
    int from;
    bool keep_history;
};

// The input config with rootfs.diff_ids and history replaced, every other field as it was.
std::string rewrite_config(const ImageMetadata& m);

// Add the config, manifest, index.json and oci-layout; returns the manifest digest.
std::string write_oci_metadata(OutputImage& out, const ImageMetadata& m);
// Add the config and manifest.json; returns the config digest (docker's image id).
std::string write_docker_metadata(OutputImage& out, const ImageMetadata& m);

}  // namespace mogu::flatten
