#include "kvm-launcher/host/boot.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"
#include "kvm-launcher/host/agent_client.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace mogu::vm {

std::string log_tail(const std::string& path, size_t lines) {
    auto text = read_file_if_exists(path);
    if (!text) return "";
    auto all = split(*text, '\n');
    while (!all.empty() && trim(all.back()).empty()) all.pop_back();
    size_t from = all.size() > lines ? all.size() - lines : 0;
    std::string out;
    for (size_t i = from; i < all.size(); i++) out += "\n    " + std::string(trim(all[i]));
    return out;
}

namespace {

// QEMU's last words, the guest's panic line if there was one, and its last console lines.
std::string boot_diagnostics(const QemuConfig& c) {
    std::string d;
    if (auto q = log_tail(c.qemu_log, 5); !q.empty()) d += "\n  QEMU said:" + q;
    if (auto text = read_file_if_exists(c.console_log)) {
        for (auto& line : split(*text, '\n'))
            if (line.find("Kernel panic") != std::string::npos) d += "\n  the guest kernel panicked: " + std::string(trim(line));
    }
    if (auto g = log_tail(c.console_log, 12); !g.empty()) d += "\n  last guest console lines:" + g;
    return d;
}

}  // namespace

BootedVm boot_vm(const QemuConfig& c, unsigned timeout_ms) {
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair for the control port");
    UniqueFd host(sv[0]), guest(sv[1]);
    auto started = std::chrono::steady_clock::now();
    BootedVm vm;
    vm.qemu = QemuProcess(c, std::move(guest));
    vm.client = std::make_unique<ttrpc::Client>(std::move(host));

    UniqueFd done(check(eventfd(0, EFD_CLOEXEC), "eventfd"));
    ttrpc::Client::Result result;
    std::thread pinger([&] {
        result = vm.client->call(kAgentService, "Ping", agent::v1::Empty().SerializeAsString(), int(timeout_ms));
        uint64_t one = 1;
        ssize_t n = ::write(done.get(), &one, sizeof one);
        (void)n;
    });
    pollfd fds[2] = {{done.get(), POLLIN, 0}, {vm.qemu.pidfd(), POLLIN, 0}};
    int n;
    do n = ::poll(fds, 2, int(timeout_ms) + 1000);
    while (n < 0 && errno == EINTR);
    if (!(fds[0].revents & POLLIN)) vm.client->close();  // QEMU went, or time is up: end the call
    pinger.join();

    if (!result.status.ok()) {
        // A closed connection means QEMU is on its way out: give it a moment to be seen gone.
        pollfd q{vm.qemu.pidfd(), POLLIN, 0};
        ::poll(&q, 1, result.status.code == ttrpc::Code::unavailable ? 3000 : 0);
        int status = 0;
        if (vm.qemu.try_reap(&status))
            throw Error("the VM stopped before its agent answered ({}; kernel {}, initramfs {}){}", describe_exit(status), c.kernel,
                        c.initrd, boot_diagnostics(c));
        vm.qemu.kill();
        throw Error("the guest's agent did not answer within {} ms (kernel {}, initramfs {}, {}){}", timeout_ms, c.kernel,
                    c.initrd, accel_name(c.accel), boot_diagnostics(c));
    }
    if (!vm.ping.ParseFromString(result.payload)) throw Error("the guest's agent sent an unreadable Ping answer");
    vm.boot_ms = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
    return vm;
}

}  // namespace mogu::vm
