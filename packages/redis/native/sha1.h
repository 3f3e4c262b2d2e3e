// SHA-1 (FIPS 180-4), for script names (EVAL's SHA1 digests) and redis.sha1hex.
#pragma once

#include <string_view>

namespace nevio::lua {

// Writes the 40 lower-case hex digits of SHA-1(data) and a NUL into `out`.
void Sha1Hex(std::string_view data, char out[41]);

}  // namespace nevio::lua
