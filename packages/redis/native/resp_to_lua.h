// A command's RESP2/RESP3 reply as a Lua value, by Redis's conversion rules: integer → number,
// bulk → string, null bulk/array → false, array → table, status → {ok=s}, error →
// {err=s, ignore_error_stats_update=true}, RESP3 map → {map={…}}, set → {set={m=true}},
// double → {double=n}, big number → {big_number=s}, verbatim → {verbatim_string={format, string}},
// null → nil, boolean → boolean; attributes are skipped.
#pragma once

#include <lua.hpp>

#include <string_view>

namespace nevio::lua {

// Pushes the first reply in `resp`; returns the bytes it took, or 0 (nothing pushed) when
// `resp` does not start with a complete reply.
size_t PushResp(lua_State* L, std::string_view resp);

}  // namespace nevio::lua
