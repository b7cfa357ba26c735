#include "flattener/sha256.h"

#include "common/error.h"

namespace mogu::flatten {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
        throw Error("sha256: cannot initialise OpenSSL digest");
}

void Sha256::update(const void* data, size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1) throw Error("sha256: update failed");
}

std::string Sha256::digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1) throw Error("sha256: final failed");
    static const char hex[] = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned i = 0; i < len; i++) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

std::string sha256_of(std::string_view data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.digest();
}

bool is_sha256_digest(std::string_view d) {
    if (d.size() != 7 + 64 || d.substr(0, 7) != "sha256:") return false;
    for (char c : d.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string_view digest_hex(std::string_view d) { return d.substr(7); }

}  // namespace mogu::flatten
