#include "flattener/compress.h"

namespace mogu::flatten {

namespace {

class PassThrough : public ByteSink {
public:
    explicit PassThrough(ByteSink& out) : out_(out) {}
    void write(const void* data, size_t size) override { out_.write(data, size); }
    void finish() override { out_.finish(); }

private:
    ByteSink& out_;
};

}  // namespace

std::optional<Compression> parse_compression(std::string_view name) {
    if (name == "gzip") return Compression::gzip;
    if (name == "zstd") return Compression::zstd;
    if (name == "none") return Compression::none;
    return std::nullopt;
}

std::string_view compression_name(Compression c) {
    switch (c) {
        case Compression::gzip: return "gzip";
        case Compression::zstd: return "zstd";
        case Compression::none: return "none";
    }
    return "?";
}

int default_level(Compression c) {
    switch (c) {
        case Compression::gzip: return 6;
        case Compression::zstd: return 3;
        case Compression::none: return 0;
    }
    return 0;
}

std::string oci_layer_media_type(Compression c) {
    switch (c) {
        case Compression::gzip: return "application/vnd.oci.image.layer.v1.tar+gzip";
        case Compression::zstd: return "application/vnd.oci.image.layer.v1.tar+zstd";
        case Compression::none: return "application/vnd.oci.image.layer.v1.tar";
    }
    return "";
}

std::unique_ptr<ByteSink> make_compressor(Compression c, int level, int threads, ByteSink& out) {
    switch (c) {
        case Compression::gzip: return make_parallel_gzip(level, threads, out);
        case Compression::zstd: return make_zstd(level, threads, out);
        case Compression::none: break;
    }
    return std::make_unique<PassThrough>(out);
}

}  // namespace mogu::flatten
