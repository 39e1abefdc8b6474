#include "http/head_length.h"

namespace spacehub::http {

size_t HeadLength(std::string_view data, size_t from) {
  // A blank line that straddles the previous search's end starts at most two bytes before it.
  for (size_t i = data.find('\n', from > 2 ? from - 2 : 0); i != std::string_view::npos;
       i = data.find('\n', i + 1)) {
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return 0;
}

}  // namespace spacehub::http
