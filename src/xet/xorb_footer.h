// The footer xet-core appends to the xorbs it uploads (ident "XETBLOB", a version byte, the xorb
// hash, the chunk hashes and chunk boundaries, then a u32 with the footer's own length). The JS
// client sends none; the hub keeps whatever came, so a footer must describe the chunks it follows
// truthfully: the hash, count, chunk hashes and boundaries are checked against the parsed chunks.
// Layout: xet-core's xet_core_structures/src/xorb_object/xorb_object_format.rs (XorbObjectInfoV0
// and V1). Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "xet/xorb_format.h"

namespace spacehub::xet {

inline constexpr std::string_view kXorbFooterIdent = "XETBLOB";

// The most bytes a footer describing `chunks` chunks can hold (V1, the larger layout: 96 bytes
// plus a hash, a boundary and an unpacked offset per chunk), so a streaming parser knows when to
// stop gathering one.
inline constexpr uint64_t MaxXorbFooterBytes(uint64_t chunks) { return 96 + 40 * chunks; }

// `footer`: every byte after the last chunk, trailing length included. `xorb`: the chunks and the
// recomputed hash. kInvalidArgument with the reason unless the footer is well formed and agrees.
Status CheckXorbFooter(std::string_view footer, const XorbInfo& xorb);

}  // namespace spacehub::xet
