#include "flattener/output_image.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "flattener/sha256.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace mogu::flatten {

namespace {

bool dir_is_empty(const std::string& path) {
    DIR* d = ::opendir(path.c_str());
    if (!d) throw SysError(errno, "open OUTPUT {}", path);
    bool empty = true;
    while (dirent* de = ::readdir(d)) {
        std::string_view n = de->d_name;
        if (n != "." && n != "..") {
            empty = false;
            break;
        }
    }
    ::closedir(d);
    return empty;
}

}  // namespace

OutputImage::OutputImage(std::string output, bool tar) : output_(std::move(output)), tar_(tar) {
    while (output_.size() > 1 && output_.back() == '/') output_.pop_back();
    struct stat st;
    if (::stat(output_.c_str(), &st) == 0) {
        if (tar_ && S_ISDIR(st.st_mode)) throw Error("OUTPUT {} is a directory; a tar was asked for", output_);
        if (!tar_ && !S_ISDIR(st.st_mode)) throw Error("OUTPUT {} exists and is not a directory", output_);
        if (!tar_ && !dir_is_empty(output_)) throw Error("OUTPUT {} exists and is not empty", output_);
    } else if (errno != ENOENT) {
        throw SysError(errno, "OUTPUT {}", output_);
    }
    std::string dir = dirname_of(output_);
    std::string tmpl = path_join(dir, "." + basename_of(output_) + ".mogu-flatten-XXXXXX");
    if (!::mkdtemp(tmpl.data())) throw SysError(errno, "create a staging directory beside OUTPUT {}", output_);
    staging_ = tmpl;
    layout_ = staging_ + "/image";
    mkdir_p(layout_ + "/blobs/sha256");
}

OutputImage::~OutputImage() {
    try {
        remove_tree(staging_);
    } catch (...) {
    }
}

std::string OutputImage::temp_blob_path() { return fmt::format("{}/blob-{}.tmp", staging_, temp_counter_++); }

void OutputImage::add_blob(BlobFile& blob) {
    blob.finish();
    std::string dest = layout_ + "/blobs/sha256/" + std::string(digest_hex(blob.digest()));
    if (path_exists(dest)) return;  // the same content twice: one blob
    blob.commit(dest);
    blobs_.push_back(std::string(digest_hex(blob.digest())));
}

std::string OutputImage::add_blob(std::string_view data) {
    std::string digest = sha256_of(data);
    std::string dest = layout_ + "/blobs/sha256/" + std::string(digest_hex(digest));
    if (!path_exists(dest)) {
        write_file(dest, data);
        blobs_.push_back(std::string(digest_hex(digest)));
    }
    return digest;
}

void OutputImage::copy_blob(const ImageFiles& in, const std::string& member, const std::string& digest) {
    std::string dest = layout_ + "/blobs/sha256/" + std::string(digest_hex(digest));
    if (path_exists(dest)) return;
    in.copy_to(member, dest);
    blobs_.push_back(std::string(digest_hex(digest)));
}

void OutputImage::add_file(const std::string& name, std::string_view data) {
    write_file(layout_ + "/" + name, data);
    top_files_.push_back(name);
}

void OutputImage::commit() {
    if (tar_) {
        std::string tmp = staging_ + "/image.tar";
        write_tar(tmp);
        if (::rename(tmp.c_str(), output_.c_str()) < 0) throw SysError(errno, "rename {} to {}", tmp, output_);
    } else {
        if (::rename(layout_.c_str(), output_.c_str()) < 0) throw SysError(errno, "rename {} to {}", layout_, output_);
    }
}

void OutputImage::write_tar(const std::string& dest) {
    UniqueFd fd(::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw SysError(errno, "create {}", dest);
    struct Free {
        void operator()(archive* a) const { archive_write_free(a); }
    };
    std::unique_ptr<archive, Free> a(archive_write_new());
    archive_write_set_format_pax_restricted(a.get());
    archive_write_add_filter_none(a.get());
    archive_write_set_bytes_in_last_block(a.get(), 1);
    if (archive_write_open_fd(a.get(), fd.get()) != ARCHIVE_OK)
        throw Error("write {}: {}", dest, archive_error_string(a.get()));
    // Fixed owner, modes and times: the same image gives the same bytes.
    auto add = [&](const std::string& name, bool dir, const std::string& file) {
        struct EntryFree {
            void operator()(archive_entry* e) const { archive_entry_free(e); }
        };
        std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
        archive_entry_set_pathname(e.get(), name.c_str());
        archive_entry_set_filetype(e.get(), dir ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(e.get(), dir ? 0755 : 0644);
        archive_entry_set_mtime(e.get(), 0, 0);
        struct stat st {};
        if (!dir && ::stat(file.c_str(), &st) < 0) throw SysError(errno, "stat {}", file);
        archive_entry_set_size(e.get(), dir ? 0 : st.st_size);
        if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
            throw Error("write {}: {}", dest, archive_error_string(a.get()));
        if (dir) return;
        UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) throw SysError(errno, "open {}", file);
        std::vector<char> buf(1 << 20);
        for (;;) {
            ssize_t n = ::read(in.get(), buf.data(), buf.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw SysError(errno, "read {}", file);
            }
            if (n == 0) break;
            if (archive_write_data(a.get(), buf.data(), static_cast<size_t>(n)) != n)
                throw Error("write {}: {}", dest, archive_error_string(a.get()));
        }
    };
    std::vector<std::string> top = top_files_;
    std::sort(top.begin(), top.end());
    for (auto& f : top) add(f, false, layout_ + "/" + f);
    add("blobs/", true, "");
    add("blobs/sha256/", true, "");
    std::vector<std::string> blobs = blobs_;
    std::sort(blobs.begin(), blobs.end());
    for (auto& b : blobs) add("blobs/sha256/" + b, false, layout_ + "/blobs/sha256/" + b);
    if (archive_write_close(a.get()) != ARCHIVE_OK) throw Error("write {}: {}", dest, archive_error_string(a.get()));
    if (::fsync(fd.get()) < 0) throw SysError(errno, "fsync {}", dest);
}

}  // namespace mogu::flatten
