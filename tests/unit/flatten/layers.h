// In-memory layers for the merge tests: written and read back with libarchive.
#pragma once

#include "flattener/blob_stream.h"
#include "flattener/byte_sink.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>
#include <vector>

namespace fl = mogu::flatten;

// One entry: kind is 'f' file, 'd' dir, 'l' symlink, 'h' hardlink, 'w' whiteout of path,
// 'o' opaque marker in dir `path`.
struct E {
    char kind;
    std::string path;
    std::string arg;  // content (f), target (l, h)
    unsigned mode = 0;
};

class MemSink : public fl::ByteSink {
public:
    void write(const void* d, size_t n) override { data.append(static_cast<const char*>(d), n); }
    void finish() override { finished = true; }
    std::string data;
    bool finished = false;
};

inline std::string make_tar(const std::vector<E>& entries) {
    MemSink sink;
    archive* a = archive_write_new();
    archive_write_set_format_pax(a);
    archive_write_open(
        a, &sink, nullptr,
        [](archive*, void* s, const void* b, size_t n) -> la_ssize_t {
            static_cast<MemSink*>(s)->write(b, n);
            return static_cast<la_ssize_t>(n);
        },
        nullptr);
    for (const E& x : entries) {
        archive_entry* e = archive_entry_new();
        std::string path = x.path;
        if (x.kind == 'w') {
            size_t k = path.rfind('/');
            path = k == std::string::npos ? ".wh." + path : path.substr(0, k + 1) + ".wh." + path.substr(k + 1);
        } else if (x.kind == 'o') {
            path += "/.wh..wh..opq";
        }
        archive_entry_set_pathname(e, path.c_str());
        archive_entry_set_mtime(e, 1, 0);
        switch (x.kind) {
            case 'd': archive_entry_set_filetype(e, AE_IFDIR); archive_entry_set_perm(e, x.mode ? x.mode : 0755); break;
            case 'l':
                archive_entry_set_filetype(e, AE_IFLNK);
                archive_entry_set_symlink(e, x.arg.c_str());
                break;
            case 'h':
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_hardlink(e, x.arg.c_str());
                break;
            default:
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, x.mode ? x.mode : 0644);
                if (x.kind == 'f') archive_entry_set_size(e, static_cast<la_int64_t>(x.arg.size()));
        }
        archive_write_header(a, e);
        if (x.kind == 'f' && !x.arg.empty()) archive_write_data(a, x.arg.data(), x.arg.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return sink.data;
}

// What the merged tar holds, in order: "path f content", "path d 755", "path l target", "path h target".
inline std::vector<std::string> list_tar(const std::string& tar) {
    std::vector<std::string> out;
    archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    archive_read_open_memory(a, tar.data(), tar.size());
    archive_entry* e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        std::string p = archive_entry_pathname(e);
        if (!p.empty() && p.back() == '/') p.pop_back();
        if (archive_entry_hardlink(e)) {
            out.push_back(p + " h " + archive_entry_hardlink(e));
        } else if (archive_entry_filetype(e) == AE_IFDIR) {
            char m[8];
            snprintf(m, sizeof m, "%o", archive_entry_perm(e));
            out.push_back(p + " d " + m);
        } else if (archive_entry_filetype(e) == AE_IFLNK) {
            out.push_back(p + " l " + archive_entry_symlink(e));
        } else {
            std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
            if (!data.empty()) archive_read_data(a, data.data(), data.size());
            out.push_back(p + " f " + data);
        }
    }
    archive_read_free(a);
    return out;
}

inline fl::LayerInput layer_of(const std::vector<E>& entries, const std::string& name) {
    auto data = std::make_shared<const std::string>(make_tar(entries));
    fl::LayerInput in;
    in.name = name;
    in.open = [data] { return fl::open_memory(data); };
    return in;
}
