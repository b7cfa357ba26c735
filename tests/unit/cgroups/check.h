// String comparison for C++ temporaries: Criterion's cr_assert_str_eq keeps the raw pointer past
// the end of the full expression, which dangles for `f().c_str()`.
#pragma once

#include <criterion/criterion.h>

#include <string>

#define CHECK_STR(actual, expected)                                                                      \
    do {                                                                                                 \
        std::string check_a_ = (actual), check_e_ = (expected);                                          \
        cr_assert(check_a_ == check_e_, "%s: got \"%s\", want \"%s\"", #actual, check_a_.c_str(), check_e_.c_str()); \
    } while (0)
