// version, info, images, inspecti: what the runtime and its image store say about themselves.
#include "tests/cri/client/commands.h"
#include "tests/cri/client/json_io.h"

namespace mogu::cri {

using namespace runtime::v1;

int cmd_version(Connection& c, Words w) {
    expect_words(w, 0, "version");
    VersionRequest req;
    req.set_version("v1");
    print_json(call(c, *c.runtime, &RuntimeService::Stub::Version, "Version", req));
    return 0;
}

int cmd_info(Connection& c, Words w) {
    expect_words(w, 0, "info");
    StatusRequest req;
    req.set_verbose(true);
    print_json(call(c, *c.runtime, &RuntimeService::Stub::Status, "Status", req));
    return 0;
}

int cmd_images(Connection& c, Words w) {
    expect_words(w, 0, "images");
    print_json(call(c, *c.images, &ImageService::Stub::ListImages, "ListImages", ListImagesRequest{}));
    return 0;
}

int cmd_inspecti(Connection& c, Words w) {
    expect_words(w, 1, "inspecti IMAGE");
    ImageStatusRequest req;
    req.mutable_image()->set_image(w[0]);
    req.set_verbose(true);
    print_json(call(c, *c.images, &ImageService::Stub::ImageStatus, "ImageStatus", req));
    return 0;
}

}  // namespace mogu::cri
