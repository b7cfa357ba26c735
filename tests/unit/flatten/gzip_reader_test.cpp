#include "flattener/compress.h"
#include "flattener/gzip_reader.h"
#include "layers.h"

#include <criterion/criterion.h>

#include <random>

namespace {

std::string some_data(size_t n) {
    std::string s;
    std::mt19937 rng(7);
    while (s.size() < n) s += (rng() % 3) ? "layer data layer data " : std::string(1, static_cast<char>(rng()));
    s.resize(n);
    return s;
}

std::string gzip(const std::string& in) {
    MemSink sink;
    auto z = fl::make_parallel_gzip(6, 2, sink);
    z->write(in.data(), in.size());
    z->finish();
    return sink.data;
}

// Feeds `gz` in small pieces (to cross member boundaries mid-buffer) and reads it all back.
std::string gunzip(const std::string& gz, size_t piece = 1000) {
    size_t pos = 0;
    fl::GzipReader r([&](const unsigned char** data) -> size_t {
        size_t n = std::min(piece, gz.size() - pos);
        *data = reinterpret_cast<const unsigned char*>(gz.data() + pos);
        pos += n;
        return n;
    });
    std::string out;
    unsigned char buf[70000];
    for (size_t n; (n = r.read(buf, sizeof buf)) > 0;) out.append(reinterpret_cast<char*>(buf), n);
    return out;
}

std::string error_of(const std::string& gz) {
    try {
        gunzip(gz);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

Test(gzip_reader, reads_every_member_of_a_multi_member_file) {
    std::string in = some_data((3 << 20) + 12345);
    std::string gz = gzip(in);
    cr_assert(gunzip(gz) == in);
    std::string small = some_data(5000);  // byte by byte
    cr_assert(gunzip(gzip(small), 1) == small);
}

Test(gzip_reader, allows_zero_padding_after_the_last_member) {
    std::string in = some_data(100000);
    cr_assert(gunzip(gzip(in) + std::string(512, '\0')) == in);
}

Test(gzip_reader, refuses_truncated_corrupt_and_trailing_garbage) {
    std::string gz = gzip(some_data(200000));
    std::string cut = gz.substr(0, gz.size() / 2);
    std::string e1 = error_of(cut);
    cr_assert_str_eq(e1.c_str(), "truncated gzip input");
    std::string bad = gz;
    bad[bad.size() - 6] ^= 0x55;  // the CRC of the last member
    cr_assert(!error_of(bad).empty());
    std::string garbage = gz + "junk";
    std::string e2 = error_of(garbage);
    cr_assert_str_eq(e2.c_str(), "data after the end of the gzip stream");
}
