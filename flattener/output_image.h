// The output, built in a staging directory beside OUTPUT and moved into place only when complete:
// a failure or an interrupt leaves OUTPUT as it was and removes the staging directory.
#pragma once

#include "flattener/blob_file.h"
#include "flattener/image_files.h"

#include <string>
#include <string_view>
#include <vector>

namespace mogu::flatten {

class OutputImage {
public:
    // tar: OUTPUT becomes a tar of the layout; otherwise a directory. Checks OUTPUT up front.
    OutputImage(std::string output, bool tar);
    ~OutputImage();
    OutputImage(const OutputImage&) = delete;
    OutputImage& operator=(const OutputImage&) = delete;

    // A new file in the staging directory for a blob whose digest is not known yet.
    std::string temp_blob_path();
    // Moves a finished BlobFile to blobs/sha256/<hex>.
    void add_blob(BlobFile& blob);
    // Stores bytes as a blob; returns the digest.
    std::string add_blob(std::string_view data);
    // Copies a blob of the input whose digest is known (checked when it was read).
    void copy_blob(const ImageFiles& in, const std::string& member, const std::string& digest);
    // A top-level file of the layout (oci-layout, index.json, manifest.json).
    void add_file(const std::string& name, std::string_view data);

    // Moves the result to OUTPUT.
    void commit();

private:
    void write_tar(const std::string& dest);
    std::string output_;
    bool tar_;
    std::string staging_;
    std::string layout_;
    std::vector<std::string> top_files_;
    std::vector<std::string> blobs_;
    int temp_counter_ = 0;
};

}  // namespace mogu::flatten
