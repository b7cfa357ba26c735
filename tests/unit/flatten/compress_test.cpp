#include "flattener/compress.h"
#include "layers.h"

#include <criterion/criterion.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

namespace {

std::string sample(size_t n) {
    std::string s;
    std::mt19937 rng(42);
    while (s.size() < n) {
        // half words (compressible), half noise
        if (rng() % 2) s += "the quick brown fox jumps over the lazy dog ";
        else for (int i = 0; i < 40; i++) s += static_cast<char>(rng());
    }
    s.resize(n);
    return s;
}

std::string compress(fl::Compression c, const std::string& in, int threads, size_t chunk = 65536) {
    MemSink sink;
    auto z = fl::make_compressor(c, fl::default_level(c), threads, sink);
    for (size_t i = 0; i < in.size(); i += chunk) z->write(in.data() + i, std::min(chunk, in.size() - i));
    z->finish();
    cr_assert(sink.finished);
    return sink.data;
}

// Reads every gzip member, one after the other, as zlib's gzread does.
std::string gunzip(const std::string& gz, int* members) {
    z_stream zs{};
    inflateInit2(&zs, 31);
    std::string out;
    char buf[1 << 16];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    zs.avail_in = static_cast<uInt>(gz.size());
    *members = 0;
    for (;;) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        int rc = inflate(&zs, Z_NO_FLUSH);
        cr_assert(rc == Z_OK || rc == Z_STREAM_END, "inflate: %d", rc);
        out.append(buf, sizeof buf - zs.avail_out);
        if (rc == Z_STREAM_END) {
            ++*members;
            if (zs.avail_in == 0) break;
            inflateReset(&zs);
        }
    }
    inflateEnd(&zs);
    return out;
}

}  // namespace

Test(gzip, parallel_blocks_are_gzip_members_that_read_back_as_one_stream) {
    struct Case {
        size_t size;
        int members;
    };
    for (Case c : {Case{0, 1}, Case{1, 1}, Case{size_t{1} << 20, 1}, Case{(size_t{7} << 19) + 3, 4}}) {
        std::string in = sample(c.size);
        int members = 0;
        cr_assert(gunzip(compress(fl::Compression::gzip, in, 3), &members) == in, "size %zu", c.size);
        cr_assert_eq(members, c.members, "size %zu: %d members", c.size, members);
    }
}

Test(gzip, bytes_do_not_depend_on_threads_or_write_sizes) {
    std::string in = sample(5 << 20);
    std::string one = compress(fl::Compression::gzip, in, 1, 4096);
    cr_assert(one == compress(fl::Compression::gzip, in, 4, 1 << 20));
    cr_assert(one == compress(fl::Compression::gzip, in, 2, 12345));
    cr_assert_lt(one.size(), in.size());
}

Test(zstd, round_trips_and_does_not_depend_on_threads) {
    std::string in = sample(3 << 20);
    std::string a = compress(fl::Compression::zstd, in, 1);
    cr_assert(a == compress(fl::Compression::zstd, in, 4, 777));
    std::string out(in.size(), '\0');
    size_t n = ZSTD_decompress(out.data(), out.size(), a.data(), a.size());
    cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
    cr_assert(out == in);
}

Test(compression, none_passes_bytes_through) {
    std::string in = sample(1000);
    cr_assert(compress(fl::Compression::none, in, 1) == in);
}

Test(compression, names_and_media_types) {
    cr_assert(fl::parse_compression("zstd") == fl::Compression::zstd);
    cr_assert(!fl::parse_compression("lz4"));
    std::string mt = fl::oci_layer_media_type(fl::Compression::gzip);
    cr_assert_str_eq(mt.c_str(), "application/vnd.oci.image.layer.v1.tar+gzip");
}
