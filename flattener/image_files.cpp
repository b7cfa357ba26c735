#include "flattener/image_files.h"

#include "common/error.h"
#include "common/fd.h"
#include "flattener/entry_path.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::flatten {

namespace {

void copy_fd_range(int in, uint64_t offset, uint64_t length, const std::string& dest, const std::string& what) {
    UniqueFd out(::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!out) throw SysError(errno, "create {}", dest);
    auto off = static_cast<loff_t>(offset);
    while (length > 0) {
        ssize_t n = ::copy_file_range(in, &off, out.get(), nullptr, length, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "copy {} to {}", what, dest);
        }
        if (n == 0) throw Error("copy {}: file ends early", what);
        length -= static_cast<uint64_t>(n);
    }
}

class DirFiles : public ImageFiles {
public:
    explicit DirFiles(std::string dir) : dir_(std::move(dir)) {}
    const std::string& where() const override { return dir_; }
    bool is_tar() const override { return false; }
    bool exists(const std::string& m) const override {
        struct stat st;
        return ::stat(path(m).c_str(), &st) == 0 && S_ISREG(st.st_mode);
    }
    uint64_t size(const std::string& m) const override {
        struct stat st;
        if (::stat(path(m).c_str(), &st) < 0) {
            if (errno == ENOENT) throw Error("{}: {} is missing", dir_, m);
            throw SysError(errno, "stat {}", path(m));
        }
        return static_cast<uint64_t>(st.st_size);
    }
    std::unique_ptr<BlobStream> open(const std::string& m) const override {
        int fd = ::open(path(m).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) throw Error("{}: {} is missing", dir_, m);
            throw SysError(errno, "open {}", path(m));
        }
        auto shared = std::shared_ptr<const int>(new int(fd), [](const int* p) {
            ::close(*p);
            delete p;
        });
        struct stat st;
        if (::fstat(fd, &st) < 0) throw SysError(errno, "stat {}", path(m));
        return open_file_range(shared, 0, static_cast<uint64_t>(st.st_size), path(m));
    }
    void copy_to(const std::string& m, const std::string& dest) const override {
        UniqueFd in(::open(path(m).c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) throw SysError(errno, "open {}", path(m));
        copy_fd_range(in.get(), 0, size(m), dest, path(m));
    }

private:
    std::string path(const std::string& m) const { return dir_ + "/" + m; }
    std::string dir_;
};

class TarFiles : public ImageFiles {
public:
    explicit TarFiles(std::string file) : file_(std::move(file)) {
        int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw SysError(errno, "open {}", file_);
        fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
            ::close(*p);
            delete p;
        });
        index();
    }
    const std::string& where() const override { return file_; }
    bool is_tar() const override { return true; }
    bool exists(const std::string& m) const override { return members_.count(m) > 0; }
    uint64_t size(const std::string& m) const override { return member(m).size; }
    std::unique_ptr<BlobStream> open(const std::string& m) const override {
        const Member& mem = member(m);
        return open_file_range(fd_, mem.offset, mem.size, file_ + ":" + m);
    }
    void copy_to(const std::string& m, const std::string& dest) const override {
        const Member& mem = member(m);
        copy_fd_range(*fd_, mem.offset, mem.size, dest, file_ + ":" + m);
    }

private:
    struct Member {
        uint64_t offset, size;
    };
    const Member& member(const std::string& m) const {
        auto it = members_.find(m);
        if (it == members_.end()) throw Error("{}: {} is missing", file_, m);
        return it->second;
    }

    void index() {
        struct Free {
            void operator()(archive* a) const { archive_read_free(a); }
        };
        std::unique_ptr<archive, Free> a(archive_read_new());
        archive_read_support_filter_all(a.get());
        archive_read_support_format_tar(a.get());
        if (archive_read_open_fd(a.get(), *fd_, 1 << 16) != ARCHIVE_OK)
            throw Error("{}: not a tar archive: {}", file_, archive_error_string(a.get()));
        if (archive_filter_count(a.get()) > 1)
            throw Error("{}: compressed ({}) image archives are not supported; decompress it first", file_,
                        archive_filter_name(a.get(), 0));
        archive_entry* e;
        for (;;) {
            int rc = archive_read_next_header(a.get(), &e);
            if (rc == ARCHIVE_EOF) break;
            if (rc < ARCHIVE_WARN) throw Error("{}: bad tar archive: {}", file_, archive_error_string(a.get()));
            if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) continue;
            const char* name = archive_entry_pathname(e);
            auto norm = name ? normalize_member(name) : std::nullopt;
            if (!norm) continue;
            if (archive_entry_sparse_count(e) > 0)
                throw Error("{}: member {} is stored sparse, which image archives never are", file_, *norm);
            // Right after the header the tar reader has consumed exactly the header blocks.
            int64_t pos = archive_filter_bytes(a.get(), 0);
            members_[*norm] = Member{static_cast<uint64_t>(pos), static_cast<uint64_t>(archive_entry_size(e))};
        }
    }

    std::string file_;
    std::shared_ptr<const int> fd_;
    std::map<std::string, Member> members_;
};

}  // namespace

std::string ImageFiles::read(const std::string& member, uint64_t limit) const {
    uint64_t n = size(member);
    if (n > limit) throw Error("{}: {} is {} bytes, too large for metadata", where(), member, n);
    auto s = open(member);
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
        size_t k = s->read(out.data() + got, n - got);
        if (k == 0) throw Error("{}: {} ends early", where(), member);
        got += k;
    }
    return out;
}

std::optional<std::string> normalize_member(const std::string& name) {
    if (!name.empty() && name[0] == '/') return std::nullopt;
    auto n = normalize_entry_path(name);
    if (!n || n->empty()) return std::nullopt;
    return n;
}

std::unique_ptr<ImageFiles> open_image_files(const std::string& input) {
    struct stat st;
    if (::stat(input.c_str(), &st) < 0) throw SysError(errno, "INPUT {}", input);
    if (S_ISDIR(st.st_mode)) return std::make_unique<DirFiles>(input);
    if (!S_ISREG(st.st_mode)) throw Error("INPUT {}: neither a directory nor a tar file", input);
    return std::make_unique<TarFiles>(input);
}

}  // namespace mogu::flatten
