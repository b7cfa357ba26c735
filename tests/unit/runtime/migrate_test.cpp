// mogu migrate's pure parts: frame headers and framing over a socketpair, image frames, the
// manifest and ADDR:PORT parsing, pre-copy's frames and its stop criterion.
#include "common/error.h"
#include "runtime/migrate/frame.h"
#include "runtime/migrate/manifest.h"
#include "runtime/migrate/precopy_plan.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <string>
#include <thread>

using namespace mogu;
using namespace mogu::runtime::migrate;

template <typename F>
static std::string error_of(F f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

Test(migrate_frame, header_round_trips_type_and_big_endian_length) {
    auto h = encode_header(FrameType::image, 0x0102030405ULL);
    cr_assert_eq(h.size(), kFrameHeaderSize);
    cr_assert_eq(h[0], 4);
    cr_assert_eq(static_cast<uint8_t>(h[5]), 0x02);
    cr_assert_eq(static_cast<uint8_t>(h[8]), 0x05);
    auto d = decode_header(h);
    cr_assert(d.type == FrameType::image);
    cr_assert_eq(d.length, 0x0102030405ULL);
}

Test(migrate_frame, unknown_type_and_huge_length_are_refused) {
    std::string bad = encode_header(FrameType::hello, 1);
    bad[0] = 42;
    cr_assert(error_of([&] { decode_header(bad); }).find("unknown frame type 42") != std::string::npos);
    auto huge = encode_header(FrameType::rootfs, kMaxFramePayload + 1);
    cr_assert(error_of([&] { decode_header(huge); }).find("over the limit") != std::string::npos);
    cr_assert(error_of([&] { decode_header("abc"); }).find("9 bytes") != std::string::npos);
}

Test(migrate_frame, frames_cross_a_socket_whole_and_in_order) {
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    std::string big(3 << 20, 'x');
    std::thread writer([&] {
        write_frame(sv[0], FrameType::hello, "id=a\n");
        write_frame(sv[0], FrameType::rootfs, big);
        write_frame(sv[0], FrameType::restore, "");
        close(sv[0]);
    });
    auto a = read_frame_of(sv[1], FrameType::hello, "hello");
    cr_assert_eq(a.payload, "id=a\n");
    auto b = read_frame(sv[1], "rootfs");
    cr_assert(b.type == FrameType::rootfs);
    cr_assert_eq(b.payload.size(), big.size());
    auto c = read_frame_of(sv[1], FrameType::restore, "restore");
    cr_assert(c.payload.empty());
    writer.join();
    cr_assert(error_of([&] { read_frame(sv[1], "the result"); }).find("closed the connection while we waited for the result") != std::string::npos);
    close(sv[1]);
}

Test(migrate_frame, a_peer_dying_half_way_through_a_frame_is_named) {
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto h = encode_header(FrameType::image, 100);
    cr_assert_eq(write(sv[0], h.data(), h.size()), static_cast<ssize_t>(h.size()));
    cr_assert_eq(write(sv[0], "abc", 3), 3);
    close(sv[0]);
    cr_assert(error_of([&] { read_frame(sv[1], "criu images"); }).find("in the middle of criu images") != std::string::npos);
    close(sv[1]);
}

Test(migrate_frame, an_error_result_in_place_of_the_expected_frame_carries_its_reason) {
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    write_frame(sv[0], FrameType::result, error_result("disk full"));
    auto e = error_of([&] { read_frame_of(sv[1], FrameType::config, "config.json"); });
    cr_assert(e.find("disk full") != std::string::npos, "%s", e.c_str());
    close(sv[0]);
    close(sv[1]);
}

Test(migrate_frame, image_names_must_be_plain_file_names) {
    auto f = decode_image(encode_image("pages-1.img", std::string("a\0b", 3)));
    cr_assert_eq(f.name, "pages-1.img");
    cr_assert_eq(f.content.size(), 3u);
    for (const char* bad : {"../x", "a/b", "..", ".", ""})
        cr_assert(error_of([&] { decode_image(encode_image(bad, "x")); }).find("refusing image file name") != std::string::npos, "%s", bad);
    cr_assert(error_of([&] { decode_image("no-nul"); }).find("without a file name") != std::string::npos);
}

Test(migrate_frame, results) {
    check_result("ok", "x");
    check_result(kResultOkPostCopy, "x");
    cr_assert(is_ok_result("ok post-copy"));
    cr_assert_not(is_ok_result("okay"));
    cr_assert_eq(error_of([] { check_result("ok later", "migrate: restore"); }), "migrate: restore: ok later");
    cr_assert_eq(error_of([] { check_result(error_result("id exists"), "migrate: refused"); }), "migrate: refused: id exists");
}

Test(migrate_manifest, round_trips) {
    Manifest m;
    m.id = "web-1";
    m.mode = Mode::cold;
    m.tcp_established = true;
    auto d = decode_manifest(encode_manifest(m));
    cr_assert_eq(d.id, "web-1");
    cr_assert(d.mode == Mode::cold);
    cr_assert(d.tcp_established);
    cr_assert_eq(d.version, kProtocolVersion);
    cr_assert_not(d.post_copy);
}

// post-copy is written only when asked for: without it the hello is what older receivers know.
Test(migrate_manifest, post_copy_only_when_asked) {
    Manifest m;
    m.id = "web-1";
    cr_assert(encode_manifest(m).find("post-copy") == std::string::npos);
    m.post_copy = true;
    cr_assert(encode_manifest(m).find("post-copy=1\n") != std::string::npos);
    cr_assert(decode_manifest(encode_manifest(m)).post_copy);
    cr_assert(error_of([] { decode_manifest("version=1\nid=a\npost-copy=yes\n"); }).find("post-copy 'yes'") != std::string::npos);
}

Test(migrate_manifest, refuses_what_it_does_not_know) {
    cr_assert(error_of([] { decode_manifest("version=1\nid=a\nmode=warm\n"); }).find("mode 'warm'") != std::string::npos);
    cr_assert(error_of([] { decode_manifest("version=2\nid=a\n"); }).find("protocol version 2") != std::string::npos);
    cr_assert(error_of([] { decode_manifest("version=1\nid=a\ncolour=red\n"); }).find("unknown manifest key 'colour'") != std::string::npos);
    cr_assert(error_of([] { decode_manifest("version=1\nid=../x\n"); }).find("no usable container id") != std::string::npos);
    cr_assert(error_of([] { decode_manifest("version=1\n"); }).find("no usable container id") != std::string::npos);
    cr_assert(error_of([] { decode_manifest("version=1\nid\n"); }).find("not key=value") != std::string::npos);
}

Test(migrate_address, parses_ipv4_and_port) {
    auto sa = parse_address("10.1.2.3:4567", "--to");
    cr_assert_eq(ntohs(sa.sin_port), 4567);
    cr_assert_eq(ntohl(sa.sin_addr.s_addr), 0x0a010203u);
    cr_assert(error_of([] { parse_address("10.1.2.3", "--to"); }).find("--to '10.1.2.3': expected ADDR:PORT") != std::string::npos);
    cr_assert(error_of([] { parse_address("10.1.2.3:0", "--to"); }).find("not a port") != std::string::npos);
    cr_assert(error_of([] { parse_address("10.1.2.3:70000", "--listen"); }).find("--listen") != std::string::npos);
    cr_assert(error_of([] { parse_address("host:80", "--to"); }).find("not an IPv4 address") != std::string::npos);
}

// Pre-copy's frames: an iteration asks for a page server, its port comes back; iteration_done
// is answered with the bytes of pages, or with the target's error in a result.
Test(migrate_precopy_frames, iteration_exchange_over_a_socket) {
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    std::thread target([fd = sv[1]] {
        auto it = read_frame_of(fd, FrameType::iteration, "an iteration");
        cr_assert_eq(it.payload, "pre");
        write_frame(fd, FrameType::page_server, encode_number(40123));
        read_frame_of(fd, FrameType::iteration_done, "iteration_done");
        write_frame(fd, FrameType::pages_received, encode_number(5ULL << 20));
        read_frame_of(fd, FrameType::iteration, "an iteration");
        write_frame(fd, FrameType::result, error_result("no criu here"));
    });
    write_frame(sv[0], FrameType::iteration, "pre");
    cr_assert_eq(decode_number(read_frame_of(sv[0], FrameType::page_server, "port").payload, "port"), 40123u);
    write_frame(sv[0], FrameType::iteration_done, {});
    cr_assert_eq(decode_number(read_frame_of(sv[0], FrameType::pages_received, "bytes").payload, "bytes"), 5ULL << 20);
    write_frame(sv[0], FrameType::iteration, "final");
    auto why = error_of([&] { read_frame_of(sv[0], FrameType::page_server, "port"); });
    cr_assert(why.find("no criu here") != std::string::npos, "%s", why.c_str());
    target.join();
    close(sv[0]);
    close(sv[1]);
}

Test(migrate_precopy_frames, new_types_have_names_and_decode) {
    for (auto t : {FrameType::iteration, FrameType::page_server, FrameType::iteration_done, FrameType::pages_received}) {
        cr_assert_str_neq(frame_type_name(t), "unknown");
        cr_assert(decode_header(encode_header(t, 3)).type == t);
    }
    auto beyond = encode_header(FrameType::pages_received, 0);
    beyond[0] = static_cast<char>(static_cast<uint8_t>(kLastFrameType) + 1);
    cr_assert(error_of([&] { decode_header(beyond); }).find("unknown frame type") != std::string::npos);
}

Test(migrate_precopy_frames, numbers_are_plain_decimals) {
    cr_assert_eq(decode_number(encode_number(0), "n"), 0u);
    cr_assert_eq(decode_number(encode_number(UINT64_MAX), "n"), UINT64_MAX);
    for (const char* bad : {"", "-1", "12x", " 12", "0x10", "18446744073709551616"}) {
        auto why = error_of([&] { decode_number(bad, "the page server port"); });
        cr_assert(why.find("the page server port") != std::string::npos, "'%s': %s", bad, why.c_str());
    }
}

// The stop criterion: pre-dump while rounds shrink by the factor, under the cap.
Test(migrate_precopy_plan, stops_at_the_cap_and_zero_means_stop_and_copy) {
    PrecopyLimits l;
    l.max_iterations = 0;
    cr_assert_not(another_pre_dump({}, l));
    l.max_iterations = 2;
    cr_assert(another_pre_dump({}, l));
    cr_assert(another_pre_dump({8 << 20}, l));
    cr_assert_not(another_pre_dump({8 << 20, 1 << 20}, l));
}

Test(migrate_precopy_plan, goes_on_while_the_dirty_set_shrinks) {
    PrecopyLimits l;  // 5 rounds, shrink to 0.8, 256 KiB is small enough
    cr_assert(another_pre_dump({16 << 20}, l), "the second round measures the dirty set");
    cr_assert(another_pre_dump({16 << 20, 4 << 20}, l));
    cr_assert(another_pre_dump({16 << 20, 4 << 20, 3 << 20}, l), "3 MiB after 4 MiB shrank by 25%%");
    cr_assert_not(another_pre_dump({16 << 20, 4 << 20, 3900 << 10}, l), "4 MiB then 3.8 MiB: not shrinking enough");
    cr_assert_not(another_pre_dump({16 << 20, 4 << 20, 5 << 20}, l), "growing");
}

Test(migrate_precopy_plan, a_small_round_ends_it) {
    PrecopyLimits l;
    cr_assert_not(another_pre_dump({100 << 10}, l), "all memory fit in 100 KiB");
    cr_assert_not(another_pre_dump({16 << 20, 200 << 10}, l), "200 KiB dirty: the final dump is short anyway");
}
