// The host half's pieces that need no VM: decompression and kernel images, the QEMU command
// line, state files, the accelerator decision and its cache, bundles that cannot cross into a
// VM, and the ext4 export of a rootfs (mkfs.ext4, a real tool).
#include "common/error.h"
#include "common/files.h"
#include "kvm-launcher/host/accel.h"
#include "kvm-launcher/host/decompress.h"
#include "kvm-launcher/host/guest_request.h"
#include "kvm-launcher/host/kernel.h"
#include "kvm-launcher/host/qemu.h"
#include "kvm-launcher/host/rootfs_export.h"
#include "kvm-launcher/host/vm_state.h"

#include "tests/unit/kvm/expect.h"

#include <criterion/criterion.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>

using namespace mogu;
using namespace mogu::vm;

namespace {

std::string xz(const std::string& in) {
    std::string out(lzma_stream_buffer_bound(in.size()), '\0');
    size_t pos = 0;
    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, nullptr, reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                            reinterpret_cast<uint8_t*>(out.data()), &pos, out.size());
    out.resize(pos);
    return out;
}

std::string gz(const std::string& in) {
    z_stream s{};
    deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&s, uLong(in.size())) + 64, '\0');
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = uInt(in.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = uInt(out.size());
    deflate(&s, Z_FINISH);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

std::string zst(const std::string& in) {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
    return out;
}

std::string fake_elf() {
    std::string e = "\x7f" "ELF";
    for (int i = 0; i < 5000; i++) e += "kernel text " + std::to_string(i);
    return e;
}

std::string temp_dir() {
    char t[] = "/tmp/mogu-kvm-unit.XXXXXX";
    cr_assert(mkdtemp(t));
    return t;
}

// A QEMU configuration with a kernel, an initramfs, the base and ext4 modules and DISK.
QemuConfig config_with_disk(const std::string& disk) {
    QemuConfig c;
    c.kernel = "/k";
    c.initrd = "/i";
    c.disk = disk;
    c.module_groups = {"base", "ext4"};
    return c;
}

}  // namespace

Test(decompress, round_trips_xz_gzip_and_zstd) {
    std::string data = fake_elf();
    cr_assert(*decompress(Compression::xz, xz(data)) == data);
    cr_assert(*decompress(Compression::gzip, gz(data)) == data);
    cr_assert(*decompress(Compression::zstd, zst(data)) == data);
}

Test(decompress, ignores_bytes_after_the_stream_and_refuses_garbage) {
    std::string data = fake_elf();
    cr_assert(*decompress(Compression::xz, xz(data) + "trailing bytes") == data);
    cr_assert(!decompress(Compression::xz, "not xz at all"));
    cr_assert(!decompress(Compression::gzip, gz(data).substr(0, 40)));
    cr_assert(!decompress(Compression::zstd, zst(data).substr(0, 20)));
}

Test(kernel_image, finds_the_elf_after_false_starts) {
    std::string elf = fake_elf();
    // A stray xz magic that does not decode, then a gzip stream that is not ELF, then the kernel.
    std::string img = std::string(512, 'B') + std::string("\xfd\x37\x7a\x58\x5a\x00", 6) + "junk" + gz("not a kernel") + xz(elf) + "tail";
    auto out = extract_elf_kernel(img);
    cr_assert(out.has_value());
    cr_assert(*out == elf);
    cr_assert(!extract_elf_kernel(std::string(4096, 'x')));
}

Test(kernel_image, reads_the_version_from_a_bzimage_header) {
    std::string b(0x1000, '\0');
    b.replace(0x202, 4, "HdrS");
    size_t off = 0x800;
    b[0x20e] = char((off - 0x200) & 0xff);
    b[0x20f] = char((off - 0x200) >> 8);
    b.replace(off, 40, std::string("6.1.0-26-amd64 (debian-kernel@lists) #1"));
    expect_str(bzimage_version(b), "6.1.0-26-amd64");
    expect_str(bzimage_version(std::string(0x1000, '\0')), "");
}

Test(kernel, names_what_is_missing) {
    setenv("MOGU_VM_CACHE", "/tmp", 1);
    try {
        find_kernel("9.9.9-nosuch");
        cr_assert_fail("found a kernel that does not exist");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).find("/boot/vmlinuz-9.9.9-nosuch") != std::string::npos, "%s", e.what());
    }
    std::string dir = temp_dir();
    std::string junk = dir + "/vmlinuz";
    write_file(junk, "this is not a kernel");
    try {
        find_kernel(junk);
        cr_assert_fail("accepted a text file as a kernel");
    } catch (const Error& e) {
        cr_assert(std::string(e.what()).find("not a bootable Linux kernel") != std::string::npos, "%s", e.what());
    }
    remove_tree(dir);
}

Test(qemu, command_line_is_a_microvm_with_only_what_the_container_needs) {
    QemuConfig c = config_with_disk("/d.img");
    c.accel = Accel::tcg;
    c.vcpus = 2;
    c.memory_mib = 328;
    auto a = qemu_argv(c, 3);
    auto has = [&](const std::string& s) { return std::find(a.begin(), a.end(), s) != a.end(); };
    auto after = [&](const std::string& flag) {
        auto it = std::find(a.begin(), a.end(), flag);
        return it == a.end() || it + 1 == a.end() ? std::string() : *(it + 1);
    };
    cr_assert(after("-M").rfind("microvm", 0) == 0);
    expect_str(after("-smp"), "2");
    expect_str(after("-m"), "328");
    cr_assert(after("-accel").rfind("tcg", 0) == 0);
    cr_assert(has("-nodefaults") && has("-no-reboot"));
    expect_str(after("-chardev"), "socket,id=ctl,fd=3");
    cr_assert(has("virtio-blk-device,drive=rootfs,serial=rootfs"));
    cr_assert(std::none_of(a.begin(), a.end(), [](const std::string& s) { return s.find("virtio-net") != std::string::npos; }));
    std::string cmdline = after("-append");
    cr_assert(cmdline.find("tsc_early_khz=") != std::string::npos);
    cr_assert(cmdline.find("mogu.modules=base,ext4") != std::string::npos);
    cr_assert(cmdline.find("quiet") != std::string::npos);
    cr_assert(has("virtio-serial-device,max_ports=2"));
    c.accel = Accel::kvm;
    c.disk.clear();
    c.share = "/rootfs";
    a = qemu_argv(c, 3);
    expect_str(after("-accel"), "kvm");
    expect_str(after("-cpu"), "host");
    cr_assert(after("-fsdev").find("path=/rootfs") != std::string::npos);
}

Test(vm_state, round_trips_through_json) {
    VmState s;
    s.id = "c1";
    s.bundle = "/b";
    s.pid = 42;
    s.pid_start = 12345;
    s.qemu_pid = 43;
    s.accel = "tcg";
    s.vcpus = 2;
    s.memory_mib = 328;
    s.image = "/var/lib/mogu-vm/disks/c1.img";
    s.annotations = {{"io.mogu.isolation", "vm"}};
    VmState t = state_from_json(state_to_json(s), "vm.json");
    cr_assert_eq(t.pid, 42);
    cr_assert_eq(t.pid_start, 12345u);
    cr_assert_eq(t.qemu_pid, 43);
    expect_str(t.accel, "tcg");
    cr_assert_eq(t.memory_mib, 328u);
    expect_str(t.image, s.image.c_str());
    expect_str(t.annotations["io.mogu.isolation"], "vm");
}

Test(vm_dir, refuses_a_taken_id_and_removes_an_uncommitted_one) {
    std::string root = temp_dir();
    {
        VmDir d = VmDir::create(root, "c1");
        cr_assert_throw(VmDir::create(root, "c1"), Error);
    }
    cr_assert(!path_exists(root + "/c1"));
    cr_assert_throw(VmDir::create(root, "../escape"), Error);
    cr_assert_throw(VmDir::open(root, "c1"), Error);
    remove_tree(root);
}

Test(accel, asks_the_probe_once_and_caches_its_verdict) {
    if (!kvm_unusable_reason().empty()) cr_skip_test("/dev/kvm is not usable here: %s", kvm_unusable_reason().c_str());
    std::string cache = temp_dir();
    setenv("MOGU_VM_CACHE", cache.c_str(), 1);
    Kernel k{"9.9-test", "", "", ""};
    int probes = 0;
    AccelDecision d = choose_accel(AccelChoice::automatic, k, [&] { probes++; return false; });
    cr_assert(d.accel == Accel::tcg);
    cr_assert(d.warning.find("TCG") != std::string::npos);
    expect_str(read_file(cache + "/kvm-probe-9.9-test"), "tcg\n");
    d = choose_accel(AccelChoice::automatic, k, [&] { probes++; return true; });
    cr_assert(d.accel == Accel::tcg);
    cr_assert_eq(probes, 1);
    write_file(cache + "/kvm-probe-9.9-test", "kvm\n");
    d = choose_accel(AccelChoice::automatic, k, [&] { probes++; return false; });
    cr_assert(d.accel == Accel::kvm);
    cr_assert(d.warning.empty());
    cr_assert_eq(probes, 1);
    remove_tree(cache);
    unsetenv("MOGU_VM_CACHE");
}

Test(accel, tcg_on_request_without_a_warning) {
    Kernel k{"9.9-test", "", "", ""};
    AccelDecision d = choose_accel(AccelChoice::tcg, k, [] { return true; });
    cr_assert(d.accel == Accel::tcg);
    cr_assert(d.warning.empty());
}

Test(guest_request, refuses_hooks_and_directory_binds_before_booting) {
    std::string b = temp_dir();
    mkdir_p(b + "/rootfs");
    write_file(b + "/hosts", "127.0.0.1 localhost\n");
    auto config = [&](const std::string& extra) {
        write_file(b + "/config.json", R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/"})" +
                                           extra + "}");
    };
    config(R"(, "mounts": [{"destination": "/etc/hosts", "type": "bind", "source": ")" + b + R"(/hosts", "options": ["rbind"]}])");
    PreparedBundle p = prepare_bundle(b);
    cr_assert_eq(p.files.size(), 1);
    expect_str(p.files[0].content(), "127.0.0.1 localhost\n");
    expect_str(p.rootfs, (b + "/rootfs").c_str());

    config(R"(, "hooks": {"prestart": [{"path": "/bin/true"}]})");
    try {
        prepare_bundle(b);
        cr_assert_fail("hooks accepted");
    } catch (const SpecError& e) {
        expect_str(e.path(), "hooks.prestart");
    }
    config(R"(, "mounts": [{"destination": "/data", "type": "bind", "source": "/tmp", "options": ["rbind"]}])");
    try {
        prepare_bundle(b);
        cr_assert_fail("a directory bind accepted");
    } catch (const SpecError& e) {
        expect_str(e.path(), "mounts[0]");
    }
    remove_tree(b + "/rootfs");
    config("");
    cr_assert_throw(prepare_bundle(b), Error);
    remove_tree(b);
}

Test(rootfs_export, makes_an_ext4_image_of_the_tree) {
    if (access("/sbin/mkfs.ext4", X_OK) != 0) cr_skip_test("mkfs.ext4 is missing (apt-get install e2fsprogs)");
    std::string d = temp_dir();
    mkdir_p(d + "/tree/etc");
    write_file(d + "/tree/etc/hostname", "box\n");
    {
        RootfsImage img = make_rootfs_image(d + "/tree", d + "/root.img");
        std::string bytes = read_file(img.path());
        cr_assert_gt(bytes.size(), 64u << 20);
        cr_assert_eq(uint8_t(bytes[1080]), 0x53);  // the ext4 superblock's magic, 0xEF53
        cr_assert_eq(uint8_t(bytes[1081]), 0xEF);
        cr_assert_throw(make_rootfs_image(d + "/tree", d + "/root.img"), Error);  // never overwrites
    }
    cr_assert(!path_exists(d + "/root.img"));  // removed with its owner
    cr_assert_throw(make_rootfs_image(d + "/nosuch", d + "/x.img"), Error);
    cr_assert(!path_exists(d + "/x.img"));
    remove_tree(d);
}

Test(rootfs_export, sizes_grow_with_the_tree) {
    cr_assert_lt(image_size_for({1 << 20, 10}), image_size_for({100 << 20, 1000}));
    cr_assert_eq(image_size_for({0, 0}) % (1 << 20), 0);
}

Test(qemu, q35_puts_the_same_devices_on_pci_and_loads_virtio_pci) {
    QemuConfig c = config_with_disk("/d.img");
    c.machine = Machine::q35;
    auto a = qemu_argv(c, 3);
    auto has = [&](const std::string& s) { return std::find(a.begin(), a.end(), s) != a.end(); };
    cr_assert(has("q35"));
    cr_assert(has("virtio-blk-pci,drive=rootfs,serial=rootfs"));
    cr_assert(has("virtio-serial-pci,max_ports=2"));
    cr_assert(has("virtio-rng-pci,rng=rng"));
    cr_assert(std::none_of(a.begin(), a.end(), [](const std::string& s) { return s.find("-device,") != std::string::npos; }));
    cr_assert(a.back().find("mogu.modules=base,pci,ext4") != std::string::npos, "%s", a.back().c_str());
}

Test(qemu, a_host_block_device_is_a_raw_uncached_drive_on_microvm_and_q35) {
    QemuConfig c = config_with_disk("/dev/mapper/pool-snap-7");
    c.disk_cache = "none";
    c.readonly = true;
    for (Machine m : {Machine::microvm, Machine::q35}) {
        c.machine = m;
        auto a = qemu_argv(c, 3);
        auto drive = std::find(a.begin(), a.end(), "-drive");
        cr_assert(drive != a.end() && drive + 1 != a.end());
        expect_str(*(drive + 1), "file=/dev/mapper/pool-snap-7,if=none,id=rootfs,format=raw,cache=none,discard=ignore,readonly=on");
        std::string dev = m == Machine::q35 ? "virtio-blk-pci,drive=rootfs,serial=rootfs" : "virtio-blk-device,drive=rootfs,serial=rootfs";
        cr_assert(std::find(a.begin(), a.end(), dev) != a.end(), "no %s", dev.c_str());
    }
}
