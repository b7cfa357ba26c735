// zstd through libzstd's own worker threads. With one or more workers the frame is cut into jobs
// of a size that does not depend on the worker count, so the bytes are the same for any --threads.
#include "flattener/compress.h"

#include "common/error.h"

#include <zstd.h>

#include <vector>

namespace mogu::flatten {

namespace {

class ZstdWriter : public ByteSink {
public:
    ZstdWriter(int level, int threads, ByteSink& out) : out_(out), cctx_(ZSTD_createCCtx()) {
        if (!cctx_) throw Error("zstd: cannot create a compression context");
        if (level < 1 || level > ZSTD_maxCLevel())
            throw UsageError("zstd level must be 1..{}, got {}", ZSTD_maxCLevel(), level);
        set(ZSTD_c_compressionLevel, level, "level");
        set(ZSTD_c_checksumFlag, 1, "checksum");
        set(ZSTD_c_nbWorkers, threads < 1 ? 1 : threads, "workers (libzstd built without threads?)");
        buf_.resize(ZSTD_CStreamOutSize());
    }
    ~ZstdWriter() override { ZSTD_freeCCtx(cctx_); }

    void write(const void* data, size_t size) override {
        ZSTD_inBuffer in{data, size, 0};
        while (in.pos < in.size) step(in, ZSTD_e_continue);
    }

    void finish() override {
        ZSTD_inBuffer in{nullptr, 0, 0};
        while (step(in, ZSTD_e_end) != 0) {
        }
        out_.finish();
    }

private:
    void set(ZSTD_cParameter p, int v, const char* what) {
        size_t rc = ZSTD_CCtx_setParameter(cctx_, p, v);
        if (ZSTD_isError(rc)) throw Error("zstd: set {}: {}", what, ZSTD_getErrorName(rc));
    }

    size_t step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
        ZSTD_outBuffer out{buf_.data(), buf_.size(), 0};
        size_t rc = ZSTD_compressStream2(cctx_, &out, &in, mode);
        if (ZSTD_isError(rc)) throw Error("zstd: {}", ZSTD_getErrorName(rc));
        if (out.pos > 0) out_.write(buf_.data(), out.pos);
        return rc;
    }

    ByteSink& out_;
    ZSTD_CCtx* cctx_;
    std::vector<char> buf_;
};

}  // namespace

std::unique_ptr<ByteSink> make_zstd(int level, int threads, ByteSink& out) {
    return std::make_unique<ZstdWriter>(level, threads, out);
}

}  // namespace mogu::flatten
