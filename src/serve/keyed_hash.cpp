// SPDX-License-Identifier: MIT
#include "serve/keyed_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace learnhttpd::serve {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// SHA-256 of the concatenation of `parts`, by OpenSSL. Only an allocation failure can make it
// fail; the digest is then all zeros, which matches no MAC a check compares it with.
Digest digestOf(std::initializer_list<std::string_view> parts) noexcept {
  Digest out{};
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return out;
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return Digest{};
  }
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1) return Digest{};
  return out;
}

std::string_view viewOf(const unsigned char* data, std::size_t size) noexcept {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

Digest sha256(std::string_view data) noexcept {
  return digestOf({data});
}

// RFC 2104 over OpenSSL's SHA-256: the key padded to a block, XORed with the two pads.
HmacSha256::HmacSha256(std::string_view key) noexcept {
  std::array<unsigned char, 64> block{};
  if (key.size() > block.size()) {
    const Digest digest = sha256(key);
    std::memcpy(block.data(), digest.data(), digest.size());
  } else {
    std::memcpy(block.data(), key.data(), key.size());
  }
  for (std::size_t i = 0; i < block.size(); ++i) {
    inner_pad_[i] = static_cast<unsigned char>(block[i] ^ 0x36);
    outer_pad_[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  }
}

Digest HmacSha256::mac(std::initializer_list<std::string_view> parts) const noexcept {
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Digest inner{};
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), inner_pad_.data(), inner_pad_.size()) != 1) {
    return Digest{};
  }
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return Digest{};
  }
  if (EVP_DigestFinal_ex(ctx.get(), inner.data(), &length) != 1) return Digest{};
  return digestOf(
      {viewOf(outer_pad_.data(), outer_pad_.size()), viewOf(inner.data(), inner.size())});
}

bool equalInConstantTime(std::string_view a, std::string_view b) noexcept {
  // The lengths are not secret (a digest's is fixed); the bytes are compared by OpenSSL's
  // constant-time compare, which looks at every one.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace learnhttpd::serve
