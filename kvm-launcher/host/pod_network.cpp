#include "kvm-launcher/host/pod_network.h"

#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/subprocess.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

namespace mogu::vm {
namespace {

// Runs ip or tc (iproute2) in the calling thread's network namespace; throws with its message.
std::string run_iproute(const std::vector<std::string>& argv, const std::string& what) {
    CommandResult r = run_program(argv, true);
    if (!r.ok()) throw Error("{}: `{}` failed: {}", what, join(argv, " "), trim(r.output));
    return r.output;
}

UniqueFd make_tap(const std::string& name) {
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (!fd) throw SysError(errno, "open /dev/net/tun for the pod's tap");
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name.c_str());
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0) throw SysError(errno, "create tap {} in the pod's network namespace", name);
    return fd;
}

// eth0 as `ip -json` describes it, into the guest's NIC. IPv4 only: the agent's set-up is
// IPv4's (an IPv6 address is logged and left out).
agent::v1::NetworkInterface read_interface() {
    JsonDoc addr = JsonDoc::parse(run_iproute({"ip", "-json", "address", "show", "dev", kPodInterface}, "read the pod's eth0"),
                                  "ip -json address");
    auto links = addr.root().elements();
    if (links.empty()) throw Error("ip -json address show dev {}: no interface", kPodInterface);
    agent::v1::NetworkInterface nic;
    nic.set_mac(links[0].string_or("address", ""));
    if (auto mtu = links[0].get("mtu")) nic.set_mtu(uint32_t(mtu->as_uint()));
    if (auto infos = links[0].get("addr_info")) {
        for (const auto& a : infos->elements()) {
            std::string cidr = fmt::format("{}/{}", a.string_or("local", ""), a.get("prefixlen") ? a.get("prefixlen")->as_uint() : 0);
            if (a.string_or("family", "") == "inet") nic.add_addresses(cidr);
            else log::info("pod network: {} on {} is not IPv4; the guest's NIC does not get it", cidr, kPodInterface);
        }
    }
    JsonDoc routes = JsonDoc::parse(run_iproute({"ip", "-json", "-4", "route", "show", "dev", kPodInterface}, "read the pod's routes"),
                                    "ip -json route");
    for (const auto& r : routes.root().elements()) {
        if (r.string_or("protocol", "") == "kernel") continue;  // the subnet's, which the address brings
        auto* route = nic.add_routes();
        route->set_destination(r.string_or("dst", ""));
        route->set_gateway(r.string_or("gateway", ""));
    }
    return nic;
}

std::optional<PodNetwork> connect_here() {
    if (if_nametoindex(kPodInterface) == 0) {
        log::info("the pod's network namespace has no {}: its VM gets no network device", kPodInterface);
        return std::nullopt;
    }
    PodNetwork net;
    net.guest = read_interface();
    net.tap = make_tap(kPodTap);
    std::string mtu = std::to_string(net.guest.mtu() ? net.guest.mtu() : 1500);
    try {
        run_iproute({"ip", "link", "set", kPodTap, "mtu", mtu, "up"}, "bring the pod's tap up");
        for (const char* from : {kPodInterface, kPodTap}) {
            const char* to = from == kPodInterface ? kPodTap : kPodInterface;
            run_iproute({"tc", "qdisc", "add", "dev", from, "ingress"}, "add an ingress qdisc");
            run_iproute({"tc", "filter", "add", "dev", from, "parent", "ffff:", "protocol", "all", "u32", "match", "u8", "0", "0",
                         "action", "mirred", "egress", "redirect", "dev", to},
                        fmt::format("redirect {} to {}", from, to));
        }
    } catch (...) {
        run_program({"tc", "qdisc", "del", "dev", kPodInterface, "ingress"});
        throw;
    }
    return net;
}

}  // namespace

std::optional<PodNetwork> connect_pod_network(const std::string& netns_path) {
    UniqueFd ns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw SysError(errno, "open the pod's network namespace {}", netns_path);
    std::optional<PodNetwork> result;
    std::exception_ptr error;
    // setns moves only the calling thread; ip and tc, forked from it, start in the namespace too.
    std::thread([&] {
        try {
            if (::setns(ns.get(), CLONE_NEWNET) < 0) throw SysError(errno, "enter the pod's network namespace {}", netns_path);
            result = connect_here();
        } catch (...) {
            error = std::current_exception();
        }
    }).join();
    if (error) std::rethrow_exception(error);
    return result;
}

std::string spec_netns_path(const oci::Spec& spec) {
    if (!spec.linux) return "";
    for (const auto& ns : spec.linux->namespaces)
        if (ns.type == oci::NamespaceType::network) return ns.path;
    return "";
}

}  // namespace mogu::vm
