#include "kvm-launcher/host/decompress.h"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>
#include <vector>

namespace mogu::vm {
namespace {

constexpr size_t kChunk = 1 << 20;

std::optional<std::string> unxz(std::string_view in, size_t max_out) {
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) return std::nullopt;
    std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> guard(&s, lzma_end);
    std::string out;
    s.next_in = reinterpret_cast<const uint8_t*>(in.data());
    s.avail_in = in.size();
    for (;;) {
        size_t have = out.size();
        out.resize(have + kChunk);
        s.next_out = reinterpret_cast<uint8_t*>(out.data() + have);
        s.avail_out = kChunk;
        lzma_ret r = lzma_code(&s, LZMA_FINISH);
        out.resize(out.size() - s.avail_out);
        if (r == LZMA_STREAM_END) return out;
        if (r != LZMA_OK || out.size() > max_out) return std::nullopt;
    }
}

std::optional<std::string> gunzip(std::string_view in, size_t max_out) {
    z_stream s{};
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&s, inflateEnd);
    std::string out;
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = uInt(std::min(in.size(), size_t(UINT32_MAX)));
    for (;;) {
        size_t have = out.size();
        out.resize(have + kChunk);
        s.next_out = reinterpret_cast<Bytef*>(out.data() + have);
        s.avail_out = kChunk;
        int r = inflate(&s, Z_NO_FLUSH);
        out.resize(out.size() - s.avail_out);
        if (r == Z_STREAM_END) return out;
        if ((r != Z_OK && r != Z_BUF_ERROR) || out.size() > max_out || (r == Z_BUF_ERROR && s.avail_in == 0))
            return std::nullopt;
    }
}

std::optional<std::string> unzstd(std::string_view in, size_t max_out) {
    std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> s(ZSTD_createDStream(), ZSTD_freeDStream);
    if (!s) return std::nullopt;
    ZSTD_initDStream(s.get());
    std::string out;
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    for (;;) {
        size_t have = out.size();
        out.resize(have + kChunk);
        ZSTD_outBuffer ob{out.data() + have, kChunk, 0};
        size_t r = ZSTD_decompressStream(s.get(), &ob, &ib);
        out.resize(have + ob.pos);
        if (ZSTD_isError(r) || out.size() > max_out) return std::nullopt;
        if (r == 0) return out;  // a frame is complete
        if (ib.pos == ib.size && ob.pos < ob.size) return std::nullopt;  // truncated
    }
}

}  // namespace

std::optional<std::string> decompress(Compression c, std::string_view data, size_t max_out) {
    switch (c) {
        case Compression::xz: return unxz(data, max_out);
        case Compression::gzip: return gunzip(data, max_out);
        case Compression::zstd: return unzstd(data, max_out);
    }
    return std::nullopt;
}

std::optional<std::string> extract_elf_kernel(std::string_view img) {
    struct Magic {
        Compression c;
        std::string_view bytes;
    };
    static const Magic kMagics[] = {
        {Compression::xz, std::string_view("\xfd\x37\x7a\x58\x5a\x00", 6)},
        {Compression::gzip, std::string_view("\x1f\x8b\x08", 3)},
        {Compression::zstd, std::string_view("\x28\xb5\x2f\xfd", 4)},
    };
    for (const auto& m : kMagics) {
        for (size_t pos = img.find(m.bytes); pos != std::string_view::npos; pos = img.find(m.bytes, pos + 1)) {
            auto out = decompress(m.c, img.substr(pos));
            if (out && out->size() > 4 && out->compare(0, 4, "\x7f" "ELF") == 0) return out;
        }
    }
    return std::nullopt;
}

}  // namespace mogu::vm
