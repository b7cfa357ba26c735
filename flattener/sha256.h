// SHA-256 through OpenSSL's EVP interface, and the "sha256:<hex>" digests OCI images name blobs by.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace mogu::flatten {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    // "sha256:<64 hex>"; the hasher cannot be updated afterwards.
    std::string digest();

private:
    struct Free { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
    std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

std::string sha256_of(std::string_view data);

// True for "sha256:" followed by 64 lowercase hex digits: the only algorithm images use here.
bool is_sha256_digest(std::string_view digest);
// The hex part of a valid digest.
std::string_view digest_hex(std::string_view digest);

}  // namespace mogu::flatten
