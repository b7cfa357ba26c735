#include "ttrpc/frame.h"

#include <criterion/criterion.h>

using namespace mogu::ttrpc;

Test(ttrpc_frame, header_is_big_endian_length_stream_type_flags) {
    auto h = encode_header({0x01020304, 0x0a0b0c0d, 2, 1});
    const uint8_t want[10] = {1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 2, 1};
    cr_assert(std::equal(h.begin(), h.end(), want));
    FrameHeader back = decode_header(h.data());
    cr_assert_eq(back.length, 0x01020304u);
    cr_assert_eq(back.stream_id, 0x0a0b0c0du);
    cr_assert_eq(back.type, 2);
    cr_assert_eq(back.flags, 1);
}

Test(ttrpc_frame, decoder_waits_for_split_frames) {
    std::string bytes = encode_frame(3, FrameType::request, "hello") + encode_frame(5, FrameType::request, "");
    FrameDecoder d;
    for (size_t i = 0; i < 7; i++) d.feed(&bytes[i], 1);
    cr_assert(!d.next().has_value(), "a short header is not a frame");
    d.feed(bytes.data() + 7, bytes.size() - 7);
    auto f1 = d.next();
    cr_assert(f1.has_value());
    cr_assert_eq(f1->header.stream_id, 3u);
    cr_assert_eq(f1->payload, "hello");
    auto f2 = d.next();
    cr_assert(f2.has_value());
    cr_assert_eq(f2->header.stream_id, 5u);
    cr_assert_eq(f2->payload, "");
    cr_assert(!d.next().has_value());
    cr_assert_eq(d.pending(), 0u);
}

Test(ttrpc_frame, decoder_refuses_length_over_the_cap_before_reading_it) {
    auto h = encode_header({kMaxPayload + 1, 7, 1, 0});
    FrameDecoder d;
    d.feed(reinterpret_cast<const char*>(h.data()), h.size());
    try {
        d.next();
        cr_assert_fail("an oversized frame was accepted");
    } catch (const FrameError& e) {
        cr_assert_eq(e.stream_id(), 7u);
        cr_assert(std::string(e.what()).find("over the") != std::string::npos, "%s", e.what());
    }
}

Test(ttrpc_frame, exactly_the_cap_is_allowed) {
    auto h = encode_header({kMaxPayload, 1, 1, 0});
    FrameDecoder d;
    d.feed(reinterpret_cast<const char*>(h.data()), h.size());
    cr_assert(!d.next().has_value());
}

Test(ttrpc_frame, encoder_refuses_oversized_payload) {
    std::string big(kMaxPayload + 1, 'x');
    cr_assert_throw(encode_frame(1, FrameType::response, big), FrameError);
}
