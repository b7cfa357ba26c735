#include "kvm-launcher/host/initramfs.h"

#include "common/error.h"
#include "common/files.h"
#include "common/self_exe.h"
#include "common/strings.h"
#include "common/subprocess.h"
#include "kvm-launcher/host/cache.h"
#include "kvm-launcher/host/decompress.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>

namespace mogu::vm {
namespace {

// Bump when the layout of the initramfs changes, so old cached ones are not used.
constexpr const char* kFormat = "mogu-initramfs-2";

struct Module {
    std::string group, file;  // file: name inside /modules (uncompressed .ko)
    std::string path;         // on the host
};

std::vector<Module> resolve_modules(const Kernel& k) {
    std::vector<Module> out;
    std::set<std::string> seen;
    for (const auto& g : module_groups()) {
        for (const char* m : g.modules) {
            auto r = run_program({"modprobe", "-S", k.version, "--show-depends", m}, true);
            if (!r.ok())
                throw Error("guest kernel {}: module {} not found in {} ({})", k.version, m, k.modules, std::string(trim(r.output)));
            for (auto& line : split(r.output, '\n')) {
                auto words = split(std::string(trim(line)), ' ');
                if (words.size() < 2 || words[0] != "insmod") continue;  // "builtin x": nothing to load
                std::string name = basename_of(words[1]);
                if (!seen.insert(name).second) continue;
                std::string file = name;
                for (const char* ext : {".xz", ".zst", ".gz"})
                    if (file.size() > strlen(ext) && file.compare(file.size() - strlen(ext), std::string::npos, ext) == 0)
                        file.resize(file.size() - strlen(ext));
                out.push_back({g.name, file, words[1]});
            }
        }
    }
    return out;
}

std::string module_bytes(const Module& m) {
    std::string raw = read_file(m.path);
    auto ends = [&](const char* ext) {
        return m.path.size() > strlen(ext) && m.path.compare(m.path.size() - strlen(ext), std::string::npos, ext) == 0;
    };
    std::optional<std::string> out;
    if (ends(".xz")) out = decompress(Compression::xz, raw);
    else if (ends(".zst")) out = decompress(Compression::zstd, raw);
    else if (ends(".gz")) out = decompress(Compression::gzip, raw);
    else return raw;
    if (!out) throw Error("module {} does not decompress", m.path);
    return *out;
}

class CpioWriter {
public:
    explicit CpioWriter(std::string* out) : a_(archive_write_new()), out_(out) {
        if (!a_) throw Error("libarchive: out of memory");
        archive_write_set_format_cpio_newc(a_);
        archive_write_set_bytes_in_last_block(a_, 1);
        if (archive_write_open(a_, this, nullptr, &CpioWriter::write_cb, nullptr) != ARCHIVE_OK) fail("open");
    }
    ~CpioWriter() { archive_write_free(a_); }

    void dir(const std::string& path) { entry(path, AE_IFDIR | 0755, "", 0); }
    void file(const std::string& path, const std::string& data, mode_t mode) { entry(path, AE_IFREG | mode, data, 0); }
    void chardev(const std::string& path, mode_t mode, unsigned maj, unsigned min) {
        entry(path, AE_IFCHR | mode, "", makedev(maj, min));
    }
    void finish() {
        if (archive_write_close(a_) != ARCHIVE_OK) fail("close");
    }

private:
    static la_ssize_t write_cb(struct archive*, void* self, const void* buf, size_t n) {
        static_cast<CpioWriter*>(self)->out_->append(static_cast<const char*>(buf), n);
        return la_ssize_t(n);
    }
    void entry(const std::string& path, mode_t mode, const std::string& data, dev_t rdev) {
        std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), path.c_str());
        archive_entry_set_mode(e.get(), mode);
        archive_entry_set_size(e.get(), la_int64_t(data.size()));
        archive_entry_set_nlink(e.get(), (mode & AE_IFMT) == AE_IFDIR ? 2 : 1);
        if (rdev) archive_entry_set_rdev(e.get(), rdev);
        if (archive_write_header(a_, e.get()) != ARCHIVE_OK) fail(path);
        if (!data.empty() && archive_write_data(a_, data.data(), data.size()) != la_ssize_t(data.size())) fail(path);
    }
    [[noreturn]] void fail(const std::string& what) {
        throw Error("writing the initramfs ({}): {}", what, archive_error_string(a_) ? archive_error_string(a_) : "unknown error");
    }
    struct archive* a_;
    std::string* out_;
};

// Each new agent or kernel makes a new initramfs; those not used for a week (every use touches
// its file) are removed when another is built.
void prune_stale_initramfs(const std::string& dir, const std::string& keep) {
    constexpr time_t kUnusedFor = 7 * 24 * 3600;
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    time_t now = time(nullptr);
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.rfind("mogu-initramfs-", 0) != 0 || name.size() < 5 || name.compare(name.size() - 5, 5, ".cpio") != 0) continue;
        std::string p = path_join(dir, name);
        struct stat st {};
        if (p != keep && stat(p.c_str(), &st) == 0 && now - st.st_mtime > kUnusedFor) ::unlink(p.c_str());
    }
    closedir(d);
}

}  // namespace

const std::vector<ModuleGroup>& module_groups() {
    static const std::vector<ModuleGroup> groups = {
        {"base", {"virtio_mmio", "virtio_console", "virtio-rng"}},
        {"pci", {"virtio_pci"}},  // q35 only
        {"ext4", {"virtio_blk", "ext4"}},
        {"9p", {"9pnet_virtio", "9p"}},
        {"net", {"virtio_net"}},  // a pod's network device
    };
    return groups;
}

std::string find_agent_binary() {
    if (const char* env = getenv("MOGU_VM_AGENT"); env && *env) {
        if (access(env, R_OK) != 0) throw Error("MOGU_VM_AGENT={}: cannot read it", env);
        return env;
    }
    std::string beside = path_join(self_exe_dir("."), "mogu-agent");
    if (access(beside.c_str(), R_OK) != 0) throw Error("mogu-agent not found beside this program ({})", beside);
    return beside;
}

std::string initramfs_for(const Kernel& k, const std::string& agent_binary) {
    std::string agent = read_file(agent_binary);
    if (agent.compare(0, 4, "\x7f" "ELF") != 0) throw Error("{} is not an executable (ELF) file", agent_binary);
    std::string deps = read_file(path_join(k.modules, "modules.dep"));
    std::string key = sha256_hex(std::string(kFormat) + "\n" + k.version + "\n" + sha256_hex(agent) + "\n" + sha256_hex(deps));
    std::string path = path_join(cache_dir(), fmt::format("mogu-initramfs-{}-{}.cpio", k.version, key.substr(0, 16)));
    if (path_exists(path)) {
        ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // in use: kept by prune_stale_initramfs
        return path;
    }
    prune_stale_initramfs(cache_dir(), path);

    std::vector<Module> modules = resolve_modules(k);
    std::string cpio;
    CpioWriter w(&cpio);
    for (const char* d : {"dev", "proc", "sys", "run", "tmp", "modules"}) w.dir(d);
    w.chardev("dev/console", 0600, 5, 1);
    w.file("init", agent, 0755);
    std::string order;
    for (const auto& m : modules) {
        w.file("modules/" + m.file, module_bytes(m), 0644);
        order += m.group + " " + m.file + "\n";
    }
    w.file("modules/order", order, 0644);
    w.finish();
    cache_put(path, cpio);
    return path;
}

}  // namespace mogu::vm
