#include "runtime/terminal.h"

#include "common/error.h"
#include "common/fd_passing.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mogu::runtime {

UniqueFd connect_console_socket(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw SysError(errno, "--console-socket: socket");
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw Error("--console-socket: path \"{}\" is too long", path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw SysError(errno, "--console-socket: connect to {}", path);
    return fd;
}

void send_fd(int socket_fd, int fd, const std::string& name) {
    send_with_fd(socket_fd, name.data(), name.size(), fd, "send the terminal to the console socket");
}

UniqueFd receive_pty_master(int socket_fd) {
    char name[256];
    UniqueFd master;
    recv_with_fd(socket_fd, name, sizeof name, master, "receive the container's terminal");
    if (!master) throw Error("the container did not send a terminal");
    return master;
}

void clear_onlcr(int pty_fd) {
    struct termios t;
    if (::tcgetattr(pty_fd, &t) < 0) throw SysError(errno, "read the terminal's settings");
    t.c_oflag &= ~ONLCR;
    if (::tcsetattr(pty_fd, TCSANOW, &t) < 0) throw SysError(errno, "clear ONLCR on the terminal");
}

void setup_console(int socket_fd, const std::optional<oci::ConsoleSize>& size, bool proxied) {
    UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master) throw SysError(errno, "open /dev/ptmx in the container (is /dev/pts mounted?)");
    if (::unlockpt(master.get()) < 0) throw SysError(errno, "unlockpt");
    char slave_name[128];
    if (::ptsname_r(master.get(), slave_name, sizeof slave_name) != 0) throw SysError(errno, "ptsname");
    UniqueFd slave(::open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) throw SysError(errno, "open the terminal {}", slave_name);
    if (proxied) clear_onlcr(slave.get());
    if (size && size->height && size->width) {
        struct winsize ws = {static_cast<unsigned short>(size->height), static_cast<unsigned short>(size->width), 0, 0};
        if (::ioctl(slave.get(), TIOCSWINSZ, &ws) < 0) throw SysError(errno, "set the terminal size");
    }
    send_fd(socket_fd, master.get(), "/dev/ptmx");
    master.reset();
    ::close(socket_fd);
    if (::setsid() < 0) throw SysError(errno, "setsid");
    if (::ioctl(slave.get(), TIOCSCTTY, 0) < 0) throw SysError(errno, "make {} the controlling terminal", slave_name);
    for (int fd = 0; fd < 3; ++fd)
        if (::dup2(slave.get(), fd) < 0) throw SysError(errno, "dup2 the terminal to fd {}", fd);
}

}  // namespace mogu::runtime
