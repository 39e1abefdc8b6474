// Where a visitor goes after signing in (`?next=`): only a path on this hub. "//evil.example" and
// "/\evil.example" are other hosts to a browser, and control characters can split headers, so those
// (and anything not starting with '/') become "/". Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace spacehub::web {

std::string SafeNext(std::string_view next);

}  // namespace spacehub::web
