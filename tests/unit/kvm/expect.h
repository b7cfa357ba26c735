// String equality for Criterion with owned copies: cr_assert_str_eq keeps the pointers it is
// given, which dangle when they come from temporaries.
#pragma once

#include <criterion/criterion.h>

#include <string>

#define expect_str(actual, expected)                                                                         \
    do {                                                                                                     \
        std::string a_ = (actual), e_ = (expected);                                                          \
        cr_assert(a_ == e_, "%s: got \"%s\", expected \"%s\"", #actual, a_.c_str(), e_.c_str());             \
    } while (0)
