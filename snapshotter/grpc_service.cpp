#include "snapshotter/grpc_service.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "snapshotter/snapshot_service.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

namespace mogu::snap {

void serve_grpc(Snapshotter& snapshotter, const std::string& socket_path) {
    mkdir_p(dirname_of(socket_path), 0711);
    if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) throw SysError(errno, "remove stale socket {}", socket_path);

    // Signals are taken by a thread that shuts the server down; block them everywhere else.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    SnapshotService service(snapshotter);
    grpc::ServerBuilder builder;
    int bound = 0;
    builder.AddListeningPort("unix:" + socket_path, grpc::InsecureServerCredentials(), &bound);
    builder.RegisterService(&service);
    mode_t old = ::umask(0077);
    auto server = builder.BuildAndStart();
    ::umask(old);
    if (!server || !bound) throw Error("cannot listen on {} (gRPC)", socket_path);
    log::info("serving containerd.services.snapshots.v1.Snapshots on {}", socket_path);

    std::thread stopper([&] {
        int sig = 0;
        sigwait(&set, &sig);
        log::info("signal {}: shutting down", sig);
        server->Shutdown();
    });
    server->Wait();
    stopper.join();
    ::unlink(socket_path.c_str());
}

}  // namespace mogu::snap
