// Helpers shared by the fuzz targets: a property check that is a finding when it fails, and
// private scratch directories that are removed when the fuzzer exits.
#pragma once

#include <string>

namespace mogu::fuzz {

// Prints the broken promise and aborts: libFuzzer saves the input as a crash reproducer.
void require(bool ok, const char* what);

// mkdtemp under $TMPDIR (default /tmp); removed with everything in it at exit.
std::string make_temp_dir(const char* prefix);
void make_dir(const std::string& path);
// The name of one entry of a directory other than "." and "..", or "" when it is empty.
std::string first_entry(const std::string& dir);

}  // namespace mogu::fuzz
