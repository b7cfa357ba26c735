#include "flattener/cli.h"

#include "common/error.h"
#include "common/strings.h"

#include <cstdio>

namespace mogu::flatten {

std::string usage() {
    return R"(usage: mogu-flatten [OPTIONS] INPUT OUTPUT

Squashes an image's layers into one. INPUT is an OCI image layout (directory or tar) or a
docker-archive (docker save); OUTPUT is written in the same form unless told otherwise, and
appears only when complete.

  --ref NAME              the image to flatten when INPUT holds several (ref name or repo tag)
  --format oci|docker     output format (default: the input's)
  --output-type dir|tar   write OUTPUT as a directory or a tar (default: like INPUT, or a
                          tar when OUTPUT ends in .tar)
  --from N                keep the lowest N layers as they are, squash the layers above them
  --compression gzip|zstd|none   the new layer's compression (default gzip)
  --level N               compression level (gzip 1-9, default 6; zstd 1-19, default 3)
  --threads N             compression threads (default: one per CPU)
  --keep-history          keep the squashed layers' history entries (as empty_layer)
  --no-progress           no progress line, even on a terminal
  -q, --quiet             no progress and no summary
  -h, --help              this text
)";
}

namespace {

int parse_count(const std::string& flag, const std::string& v, int lo, int hi) {
    auto n = parse_int(v);
    if (!n || *n < lo || *n > hi) throw UsageError("{}: expected a number {}..{}, got \"{}\"", flag, lo, hi, v);
    return static_cast<int>(*n);
}

}  // namespace

std::optional<Options> parse_args(const std::vector<std::string>& args) {
    Options o;
    std::vector<std::string> positional;
    for (size_t i = 0; i < args.size(); i++) {
        std::string a = args[i];
        std::string value;
        bool has_value = false;
        if (a.rfind("--", 0) == 0) {
            size_t eq = a.find('=');
            if (eq != std::string::npos) {
                value = a.substr(eq + 1);
                a = a.substr(0, eq);
                has_value = true;
            }
        }
        auto next = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= args.size()) throw UsageError("{} needs a value", a);
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            std::fputs(usage().c_str(), stdout);
            return std::nullopt;
        } else if (a == "--ref") {
            o.ref = next();
            if (o.ref.empty()) throw UsageError("--ref: empty name");
        } else if (a == "--format") {
            std::string v = next();
            if (v == "oci") o.format = ImageFormat::oci;
            else if (v == "docker" || v == "docker-archive") o.format = ImageFormat::docker;
            else throw UsageError("--format: expected oci or docker, got \"{}\"", v);
        } else if (a == "--output-type") {
            std::string v = next();
            if (v == "dir") o.output_tar = false;
            else if (v == "tar") o.output_tar = true;
            else throw UsageError("--output-type: expected dir or tar, got \"{}\"", v);
        } else if (a == "--from") {
            o.from = parse_count(a, next(), 0, 100000);
        } else if (a == "--compression") {
            std::string v = next();
            auto c = parse_compression(v);
            if (!c) throw UsageError("--compression: expected gzip, zstd or none, got \"{}\"", v);
            o.compression = *c;
        } else if (a == "--level") {
            o.level = parse_count(a, next(), 0, 22);
        } else if (a == "--threads") {
            o.threads = parse_count(a, next(), 1, 1024);
        } else if (a == "--keep-history" && !has_value) {
            o.keep_history = true;
        } else if (a == "--no-progress" && !has_value) {
            o.progress = false;
        } else if ((a == "-q" || a == "--quiet") && !has_value) {
            o.quiet = true;
        } else if (a == "--") {
            positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        } else if (a.size() > 1 && a[0] == '-') {
            throw UsageError("unknown option {}", args[i]);
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() != 2)
        throw UsageError("expected INPUT and OUTPUT, got {} argument{}", positional.size(),
                         positional.size() == 1 ? "" : "s");
    o.input = positional[0];
    o.output = positional[1];
    if (o.output.empty() || o.input.empty()) throw UsageError("INPUT and OUTPUT must not be empty");
    if (o.level) {
        if (o.compression == Compression::none) throw UsageError("--level: --compression none has no level");
        if (o.compression == Compression::gzip && (*o.level < 1 || *o.level > 9))
            throw UsageError("--level: gzip levels are 1..9, got {}", *o.level);
        if (o.compression == Compression::zstd && (*o.level < 1 || *o.level > 19))
            throw UsageError("--level: zstd levels are 1..19, got {}", *o.level);
    }
    return o;
}

}  // namespace mogu::flatten
