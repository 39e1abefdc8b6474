// Where an HTTP/1.1 message head ends in bytes read so far, for code that parses a head only once
// it is whole (Beast's basic_parser fed in pieces keeps state and views across calls). Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace spacehub::http {

// The length of the head at the front of `data` through its blank line (CRLF CRLF, or a bare-LF
// blank line, which a strict parser then rejects), 0 while incomplete. `from`: how much of `data`
// an earlier call already searched (0 for none).
size_t HeadLength(std::string_view data, size_t from = 0);

}  // namespace spacehub::http
