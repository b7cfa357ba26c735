// UTF-8 validity as proto3's decoders judge it.
#include "common/utf8.h"

#include <criterion/criterion.h>

#include <string>

using namespace mogu;

Test(utf8, accepts_well_formed_text) {
    for (const char* s : {"", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac 5", "\xf0\x9f\x90\xb3 whale", "\xf4\x8f\xbf\xbf"})
        cr_assert(is_valid_utf8(s), "refused %s", s);
}

Test(utf8, refuses_what_go_and_protobuf_refuse) {
    for (const char* s : {"\x91", "ab\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xf8\x88\x80\x80\x80"})
        cr_assert_not(is_valid_utf8(s), "accepted %s", s);
}

Test(utf8, invalid_bytes_become_replacement_characters) {
    cr_assert_eq(to_valid_utf8("bund\x91\x9a\xe5\xe9tdout"), std::string("bund\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdtdout"));
    cr_assert_eq(to_valid_utf8("caf\xc3\xa9"), std::string("caf\xc3\xa9"));
    cr_assert(is_valid_utf8(to_valid_utf8("\xe2\x82")));
}
