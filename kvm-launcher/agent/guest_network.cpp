#include "kvm-launcher/agent/guest_network.h"

#include "common/error.h"
#include "common/files.h"
#include "common/fd.h"
#include "common/log.h"
#include "common/strings.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::vm::agent {
namespace {

std::string find_interface(const std::string& mac) {
    std::string found;
    if (DIR* d = opendir("/sys/class/net")) {
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            auto addr = read_file_if_exists(fmt::format("/sys/class/net/{}/address", e->d_name));
            if (addr && equal_ignoring_ascii_case(trim(*addr), mac)) found = e->d_name;
        }
        closedir(d);
    }
    return found;
}

sockaddr ipv4(const std::string& text, const std::string& what) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    if (inet_pton(AF_INET, text.c_str(), &a.sin_addr) != 1) throw Error("{}: {} is not an IPv4 address", what, text);
    sockaddr s{};
    std::memcpy(&s, &a, sizeof a);
    return s;
}

sockaddr netmask(unsigned prefix) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = prefix == 0 ? 0 : htonl(~uint32_t(0) << (32 - prefix));
    sockaddr s{};
    std::memcpy(&s, &a, sizeof a);
    return s;
}

// "10.0.0.5/24" -> address, prefix.
std::pair<std::string, unsigned> split_cidr(const std::string& cidr, const std::string& what) {
    auto slash = cidr.find('/');
    std::string addr = cidr.substr(0, slash);
    unsigned prefix = 32;
    if (slash != std::string::npos) {
        auto p = parse_int(cidr.substr(slash + 1));
        if (!p || *p < 0 || *p > 32) throw Error("{}: {} has no valid prefix length", what, cidr);
        prefix = unsigned(*p);
    }
    return {addr, prefix};
}

}  // namespace

std::string configure_pod_network(const v1::NetworkInterface& nic, int timeout_ms) {
    std::string name;
    for (int waited = 0; (name = find_interface(nic.mac())).empty(); waited += 10) {
        if (waited >= timeout_ms) throw Error("no network interface with MAC {} appeared (virtio-net)", nic.mac());
        usleep(10000);
    }
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw SysError(errno, "socket to configure {}", name);
    ifreq ifr{};
    std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name.c_str());
    if (nic.mtu()) {
        ifr.ifr_mtu = int(nic.mtu());
        check(ioctl(sock.get(), SIOCSIFMTU, &ifr), "set the MTU of {} to {}", name, nic.mtu());
    }
    for (int i = 0; i < nic.addresses_size(); i++) {
        if (i > 0) {
            log::info("pod network: {} has one address in the guest; {} is left out", name, nic.addresses(i));
            continue;
        }
        auto [addr, prefix] = split_cidr(nic.addresses(i), "pod address");
        ifr.ifr_addr = ipv4(addr, "pod address");
        check(ioctl(sock.get(), SIOCSIFADDR, &ifr), "set address {} on {}", addr, name);
        ifr.ifr_netmask = netmask(prefix);
        check(ioctl(sock.get(), SIOCSIFNETMASK, &ifr), "set the netmask /{} on {}", prefix, name);
    }
    check(ioctl(sock.get(), SIOCGIFFLAGS, &ifr), "read the flags of {}", name);
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    check(ioctl(sock.get(), SIOCSIFFLAGS, &ifr), "bring {} up", name);
    for (const auto& r : nic.routes()) {
        rtentry rt{};
        std::string dst = r.destination() == "default" || r.destination().empty() ? "0.0.0.0/0" : r.destination();
        auto [net, prefix] = split_cidr(dst, "pod route");
        rt.rt_dst = ipv4(net, "pod route");
        rt.rt_genmask = netmask(prefix);
        rt.rt_flags = RTF_UP;
        if (!r.gateway().empty()) {
            rt.rt_gateway = ipv4(r.gateway(), "pod route gateway");
            rt.rt_flags |= RTF_GATEWAY;
        }
        if (prefix == 32) rt.rt_flags |= RTF_HOST;
        rt.rt_dev = name.data();
        if (ioctl(sock.get(), SIOCADDRT, &rt) < 0 && errno != EEXIST)
            throw SysError(errno, "add route {} via {} on {}", dst, r.gateway().empty() ? "the link" : r.gateway(), name);
    }
    log::info("pod network: {} ({}) up with {} address(es), {} route(s)", name, nic.mac(), nic.addresses_size(), nic.routes_size());
    return name;
}

}  // namespace mogu::vm::agent
