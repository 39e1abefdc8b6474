// The host label of a Space: `ns/name` is visited at `{label}.{domain}` (the Hub's convention for
// *.hf.space: `{ns}-{name}`, lowercase, '_' and '.' become '-'). Several names map to one label
// ("a-b/c", "a/b-c", "a/B_c"), so the label is not an identity by itself: the repo service refuses
// a Space whose label another Space already has (service/space_hosts.h), and the proxy routes by
// it. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace spacehub {

// "Alice", "My_App.v2" -> "alice-my-app-v2".
std::string SpaceHostLabel(std::string_view ns, std::string_view name);

}  // namespace spacehub
