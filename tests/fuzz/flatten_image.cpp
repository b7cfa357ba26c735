// Fuzz target: bytes -> an image tar (OCI layout or docker-archive) -> mogu-flatten's whole
// work: its tar reader (libarchive), index/manifest/config checks, every layer's tar through the
// merge (whiteouts, hard links, opaque directories, path normalization), and the output image,
// which must then read back. The input is what a user hands mogu-flatten: an image someone built
// or pulled.
//
// Expected outcome for bad input: a mogu::Error. Anything else is a finding: a sanitizer report,
// a leak, another exception type, a hang, an output that does not read back as an image, or a
// write outside the output (the Landlock sandbox of tests/fuzz/sandbox.h turns one into an
// error: the merge must never follow a layer's path out of its directory).
#include "common/error.h"
#include "flattener/flatten.h"
#include "flattener/image.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/sandbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

using namespace mogu;

namespace {

std::string scratch;  // <tmp>/in.tar and <tmp>/out.tar

void write_input(const uint8_t* data, size_t size, const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    fuzz::require(fd >= 0, "cannot write the input file");
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::write(fd, data + done, size - done);
        fuzz::require(n > 0, "cannot write the input file");
        done += static_cast<size_t>(n);
    }
    ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    scratch = fuzz::make_temp_dir("mogu-fuzz-flatten");
    fuzz::enter_write_sandbox(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string in = scratch + "/in.tar", out = scratch + "/out.tar";
    write_input(data, size, in);
    std::filesystem::remove_all(out);
    flatten::Options o;
    o.input = in;
    o.output = out;
    o.output_tar = true;
    o.compression = flatten::Compression::none;
    o.threads = 1;
    o.quiet = true;
    o.progress = false;
    bool flattened = false;
    try {
        flatten::flatten(o);
        flattened = true;
    } catch (const Error& e) {
        fuzz::require(e.what()[0] != '\0', "a mogu::Error with an empty message");
    } catch (const std::bad_alloc&) {
        // Only near -rss_limit_mb; ASan reports real allocation bugs itself.
    }
    if (flattened) {
        // What mogu-flatten wrote is an image it reads again, with at most one layer more
        // than it kept (here: none kept, so at most one).
        try {
            auto again = flatten::read_image(out, "");
            fuzz::require(again.layers.size() <= 1, "the flattened image has more than one layer");
        } catch (const Error& e) {
            fprintf(stderr, "==FUZZ== the output does not read back: %s\n", e.what());
            fuzz::require(false, "mogu-flatten wrote an image it cannot read back");
        }
    }
    std::filesystem::remove_all(out);
    return 0;
}
