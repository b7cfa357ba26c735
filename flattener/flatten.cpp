#include "flattener/flatten.h"

#include "common/error.h"
#include "flattener/blob_file.h"
#include "flattener/image_metadata.h"
#include "flattener/output_image.h"
#include "flattener/progress.h"
#include "flattener/sha256.h"
#include "flattener/tar_out.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace mogu::flatten {

namespace {

std::atomic<bool> g_stop{false};

// Hashes and counts the uncompressed tar (the new diff_id) on its way to the compressor.
class DiffSink : public ByteSink {
public:
    DiffSink(ByteSink& next, uint64_t& count) : next_(next), count_(count) {}
    void write(const void* d, size_t n) override {
        hash_.update(d, n);
        count_ += n;
        next_.write(d, n);
    }
    void finish() override {
        digest_ = hash_.digest();
        next_.finish();
    }
    const std::string& digest() const { return digest_; }

private:
    ByteSink& next_;
    uint64_t& count_;
    Sha256 hash_;
    std::string digest_;
};

// Counts what reaches the blob file, for the progress display.
class CountSink : public ByteSink {
public:
    CountSink(ByteSink& next, std::atomic<uint64_t>& count) : next_(next), count_(count) {}
    void write(const void* d, size_t n) override {
        count_ += n;
        next_.write(d, n);
    }
    void finish() override { next_.finish(); }

private:
    ByteSink& next_;
    std::atomic<uint64_t>& count_;
};

std::string short_digest(const std::string& d) { return d.size() > 19 ? d.substr(0, 19) : d; }

// The media type of a docker-archive layer, which carries none: by its magic bytes.
std::string sniff_media_type(const ImageFiles& files, const std::string& member) {
    auto s = files.open(member);
    unsigned char m[4] = {};
    size_t got = 0;
    while (got < 4) {
        size_t n = s->read(m + got, 4 - got);
        if (n == 0) break;
        got += n;
    }
    if (got >= 2 && m[0] == 0x1f && m[1] == 0x8b) return oci_layer_media_type(Compression::gzip);
    if (got == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        return oci_layer_media_type(Compression::zstd);
    return oci_layer_media_type(Compression::none);
}

// The kept base layers, copied byte for byte (hashed on the way when the format gave no digest).
std::vector<OutLayer> copy_base_layers(const SourceImage& img, size_t from, OutputImage& out) {
    const ImageFiles& files = *img.files;
    std::vector<OutLayer> layers;
    for (size_t i = 0; i < from; i++) {
        const SourceLayer& l = img.layers[i];
        OutLayer o;
        if (l.digest.empty()) {
            BlobFile copy(out.temp_blob_path());
            auto st = files.open(l.member);
            std::vector<char> buf(1 << 20);
            for (size_t k; (k = st->read(buf.data(), buf.size())) > 0;) copy.write(buf.data(), k);
            out.add_blob(copy);
            o.digest = copy.digest();
            o.size = static_cast<int64_t>(copy.size());
        } else {
            out.copy_blob(files, l.member, l.digest);
            o.digest = l.digest;
            o.size = static_cast<int64_t>(files.size(l.member));
        }
        o.media_type = l.media_type.empty() ? sniff_media_type(files, l.member) : l.media_type;
        o.descriptor = l.descriptor;
        layers.push_back(o);
    }
    return layers;
}

}  // namespace

void request_stop() { g_stop = true; }

Summary flatten(const Options& opts) {
    auto t0 = std::chrono::steady_clock::now();
    SourceImage img = read_image(opts.input, opts.ref);
    const ImageFiles& files = *img.files;
    ImageFormat format = opts.format.value_or(img.format);
    // Unless told, OUTPUT takes INPUT's form; a name ending in ".tar" asks for a tar.
    bool tar = opts.output_tar.value_or(files.is_tar() || (opts.output.size() > 4 &&
                                                           opts.output.substr(opts.output.size() - 4) == ".tar"));
    size_t n = img.layers.size();
    if (opts.from < 0 || static_cast<size_t>(opts.from) >= n)
        throw UsageError("--from {}: the image has {} layers, so N must be 0..{}", opts.from, n, n - 1);
    auto from = static_cast<size_t>(opts.from);

    std::vector<LayerInput> inputs(n);
    for (size_t i = 0; i < n; i++) {
        const SourceLayer& l = img.layers[i];
        LayerInput& in = inputs[i];
        in.name = fmt::format("layer {} ({})", i + 1, l.digest.empty() ? l.member : short_digest(l.digest));
        std::string member = l.member;
        in.open = [&files, member] { return files.open(member); };
        in.expect_digest = l.digest;
        in.expect_diff_id = l.diff_id;
        in.expect_size = l.size;
    }

    OutputImage out(opts.output, tar);
    ReadCounters counters;
    std::atomic<uint64_t> written{0};
    Progress progress(opts.progress && !opts.quiet, counters, written);
    Summary s;
    s.layers_before = n;
    s.layers_after = from + 1;
    s.squashed = n - from;
    auto interrupt = [] {
        if (g_stop) throw Error("interrupted");
    };

    MergeStats base_stats;
    std::unique_ptr<Merge> base;
    if (from > 0) {
        base = std::make_unique<Merge>(nullptr, base_stats, &counters);
        base->set_interrupt_check(interrupt);
        base->set_layer_hook([&](size_t done, size_t) { progress.set_layer(done, n); });
        std::vector<const LayerInput*> lower;
        for (size_t i = 0; i < from; i++) lower.push_back(&inputs[i]);
        base->run(lower);
    }
    uint64_t stored_before = counters.stored, tar_before = counters.uncompressed;

    int threads = opts.threads > 0 ? opts.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int level = opts.level.value_or(default_level(opts.compression));
    BlobFile blob(out.temp_blob_path());
    CountSink counted(blob, written);
    auto compressor = make_compressor(opts.compression, level, threads, counted);
    DiffSink diff(*compressor, s.uncompressed_out);
    TarOut tar_out(diff);
    tar_out.set_interrupt_check(interrupt);
    {
        Merge merge(&tar_out, s.merge, &counters);
        merge.set_base(base.get());
        merge.set_interrupt_check(interrupt);
        merge.set_layer_hook([&](size_t done, size_t) { progress.set_layer(from + done, n); });
        std::vector<const LayerInput*> upper;
        for (size_t i = from; i < n; i++) upper.push_back(&inputs[i]);
        merge.run(upper);
    }
    tar_out.finish();
    s.stored_in = counters.stored - stored_before;
    s.uncompressed_in = counters.uncompressed - tar_before;
    out.add_blob(blob);
    s.layer_digest = blob.digest();
    s.stored_out = blob.size();
    s.diff_id = diff.digest();
    interrupt();

    // Kept base layers: the same blobs.
    std::vector<OutLayer> layers = copy_base_layers(img, from, out);
    std::vector<std::string> diff_ids;
    for (size_t i = 0; i < from; i++) diff_ids.push_back(img.layers[i].diff_id);
    layers.push_back(OutLayer{s.layer_digest, static_cast<int64_t>(s.stored_out),
                              oci_layer_media_type(opts.compression), ""});
    diff_ids.push_back(s.diff_id);
    std::vector<std::string> squashed_ids;
    for (size_t i = from; i < n; i++) squashed_ids.push_back(img.layers[i].diff_id);

    ImageMetadata meta{img, layers, diff_ids, squashed_ids, opts.from, opts.keep_history};
    s.manifest_digest = format == ImageFormat::oci ? write_oci_metadata(out, meta) : write_docker_metadata(out, meta);
    interrupt();
    out.commit();
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

std::string format_summary(const Summary& s) {
    const MergeStats& m = s.merge;
    std::string out;
    out += fmt::format("layers: {} -> {} ({} squashed into one)\n", s.layers_before, s.layers_after, s.squashed);
    out += fmt::format("bytes: {} -> {} stored, {} -> {} uncompressed\n", human_bytes(s.stored_in),
                       human_bytes(s.stored_out), human_bytes(s.uncompressed_in), human_bytes(s.uncompressed_out));
    out += fmt::format("entries: {} read, {} kept, {} dropped by whiteouts, {} dropped by overwrites, {} markers "
                       "read, {} kept, {} whiteouts with nothing to hide\n",
                       m.entries_in, m.kept, m.dropped_by_whiteout, m.dropped_by_overwrite, m.markers_in,
                       m.markers_kept, m.whiteouts_of_nothing);
    out += fmt::format("hardlinks: {} written, {} files written under a link's name\n", m.hardlinks, m.relinked);
    out += fmt::format("layer: {} (diff_id {})\n", s.layer_digest, s.diff_id);
    double mbs = s.seconds > 0 ? static_cast<double>(s.uncompressed_in) / 1e6 / s.seconds : 0;
    out += fmt::format("time: {:.2f} s ({:.0f} MB/s of uncompressed input)\n", s.seconds, mbs);
    return out;
}

}  // namespace mogu::flatten
