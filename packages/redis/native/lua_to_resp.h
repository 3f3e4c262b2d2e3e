// A script's return value as a reply, by Redis's conversion rules: string → bulk, number →
// integer (truncated), true → 1 (RESP3 script: #t), false → null (RESP3 script: #f), nil → null,
// table → {err=…} error, {ok=…} status, {double=n}, {big_number=s}, {verbatim_string=…},
// {map=…}, {set=…}, else the array of t[1..] up to the first nil. RESP3 types degrade to RESP2
// for a RESP2 caller.
#pragma once

#include <lua.hpp>

#include "engine.h"

namespace nevio::lua {

// Converts and pops the value on top of the stack. `caller_resp`: the protocol of the client
// the reply goes to; `script_resp`: the script's own (redis.setresp), which decides booleans.
void WriteReply(lua_State* L, int caller_resp, int script_resp, RunResult* out);

// "%.17g" as Redis's addReplyDouble writes it (inf, -inf, nan spelled as Redis does).
int FormatDouble(double d, char* out, size_t size);

}  // namespace nevio::lua
