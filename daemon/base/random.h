// random.h: secrets and digests from OpenSSL. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace frontdesk {

// `n` bytes from the OpenSSL CSPRNG, as unpadded base64url text.
std::string RandomToken(size_t n);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw 32-byte SHA-256 of `data`.
std::string Sha256Raw(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Raw(std::string_view key, std::string_view data);
// Compares in time that depends only on the lengths, not on the contents.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace frontdesk
