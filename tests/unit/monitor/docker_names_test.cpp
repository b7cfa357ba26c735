// Docker's name and image from config.v2.json, and DockerNames' reading of a data root.
#include "monitor/docker_names.h"

#include <criterion/criterion.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

using namespace mogu::monitor;

namespace {

const char* kConfig = R"({"ID":"abc","Name":"/web","Config":{"Image":"nginx:1.25","Cmd":["nginx"]},"Image":"sha256:0123"})";

void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

}  // namespace

Test(docker_names, reads_name_without_slash_and_the_image_the_user_named) {
    auto id = parse_docker_config(kConfig, "config.v2.json");
    cr_assert(id.has_value());
    cr_assert_eq(id->name, "web");
    cr_assert_eq(id->image, "nginx:1.25");
}

Test(docker_names, something_else_is_no_identity) {
    cr_assert(!parse_docker_config("{", "x").has_value());
    cr_assert(!parse_docker_config("[]", "x").has_value());
    cr_assert(!parse_docker_config(R"({"Name": 3})", "x").has_value());
    cr_assert(!parse_docker_config(R"({"Config": {}})", "x").has_value());
    auto id = parse_docker_config(R"({"Name": "/db", "Config": "odd"})", "x");
    cr_assert(id.has_value());
    cr_assert_eq(id->image, "");
}

Test(docker_names, looks_in_each_data_root_and_sees_a_rename) {
    char tmpl[] = "/tmp/mogu-docker-names.XXXXXX";
    std::string root = mkdtemp(tmpl);
    std::string dir = root + "/containers/abc";
    mkdir((root + "/containers").c_str(), 0700);
    mkdir(dir.c_str(), 0700);
    write(dir + "/config.v2.json", kConfig);
    DockerNames names({"/nonexistent", root});
    auto id = names.lookup("abc");
    cr_assert(id.has_value());
    cr_assert_eq(id->name, "web");
    // docker rename rewrites the file (a new size here; a new mtime in general).
    write(dir + "/config.v2.json", R"({"Name":"/frontend","Config":{"Image":"nginx:1.25"}})");
    id = names.lookup("abc");
    cr_assert(id.has_value());
    cr_assert_eq(id->name, "frontend");
    cr_assert(!names.lookup("other").has_value());
    cr_assert(!names.lookup("../abc").has_value());
    names.keep_only({});
    unlink((dir + "/config.v2.json").c_str());
    rmdir(dir.c_str());
    rmdir((root + "/containers").c_str());
    rmdir(root.c_str());
    cr_assert(!names.lookup("abc").has_value());
}
