#include "http/multipart.h"

#include <utility>

namespace spacehub::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kMaxBoundary = 70;

Status Malformed(std::string_view why) {
  return Status::InvalidArgument("Malformed multipart/form-data body: " + std::string(why));
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Control characters other than tab (and DEL): never valid in a header value.
bool HasControl(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 2046 bchars: what a boundary may contain (a space, but not at the end).
bool IsBoundaryChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// A header value such as `form-data; name="a"; filename="b"`: the leading value (lowercased) and
// its parameters (names lowercased, quoted values unescaped). Duplicate parameters are refused:
// two `name`s would let two readers of one body see different fields.
struct HeaderValue {
  std::string value;
  std::vector<std::pair<std::string, std::string>> params;

  const std::string* Param(std::string_view name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

// Reads a quoted-string starting at s[0] == '"' into *out; returns the bytes consumed, 0 when the
// closing quote is missing. A backslash escapes the next byte.
size_t ReadQuoted(std::string_view s, std::string* out) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      *out += s[++i];
    } else if (s[i] == '"') {
      return i + 1;
    } else {
      *out += s[i];
    }
  }
  return 0;
}

Result<std::pair<std::string, std::string>> ReadParam(std::string_view& rest) {
  size_t eq = 0;
  while (eq < rest.size() && IsTokenChar(rest[eq])) ++eq;
  if (eq == 0 || eq >= rest.size() || rest[eq] != '=') {
    return Malformed("a header parameter is not name=value");
  }
  std::string name = Lower(rest.substr(0, eq));
  rest.remove_prefix(eq + 1);
  std::string value;
  if (!rest.empty() && rest.front() == '"') {
    size_t used = ReadQuoted(rest, &value);
    if (used == 0) return Malformed("a quoted header parameter has no closing quote");
    rest.remove_prefix(used);
  } else {
    size_t end = 0;
    while (end < rest.size() && rest[end] != ';' && !IsSpace(rest[end]) && rest[end] != '"') ++end;
    if (end == 0) return Malformed("header parameter '" + name + "' has an empty value");
    value = std::string(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  return std::make_pair(std::move(name), std::move(value));
}

Result<HeaderValue> ParseHeaderValue(std::string_view s) {
  HeaderValue out;
  size_t semi = s.find(';');
  out.value = Lower(Trim(s.substr(0, semi)));
  std::string_view rest = semi == std::string_view::npos ? std::string_view{} : s.substr(semi);
  while (true) {
    rest = Trim(rest);
    if (rest.empty()) break;
    if (rest.front() != ';') return Malformed("unexpected text after a header parameter");
    rest = Trim(rest.substr(1));
    if (rest.empty()) break;  // a trailing ';'
    SH_ASSIGN_OR_RETURN(auto param, ReadParam(rest));
    if (out.Param(param.first) != nullptr) {
      return Malformed("header parameter '" + param.first + "' appears twice");
    }
    out.params.push_back(std::move(param));
  }
  return out;
}

// Where the first delimiter line starts: at the very beginning or after the preamble's CRLF.
Result<size_t> FindFirstDelimiter(std::string_view body, std::string_view delimiter) {
  if (body.starts_with(delimiter)) return size_t{0};
  std::string line_start = std::string(kCrlf) + std::string(delimiter);
  size_t found = body.find(line_start);
  if (found == std::string_view::npos) return Malformed("the boundary never appears");
  return found + kCrlf.size();
}

// After a delimiter at `pos`: true for the closing one ("--"); otherwise moves `pos` past the
// optional transport padding and the CRLF that must end the delimiter line.
Result<bool> EndOfDelimiter(std::string_view body, size_t* pos) {
  if (body.substr(*pos, 2) == "--") return true;
  while (*pos < body.size() && IsSpace(body[*pos])) ++*pos;
  if (body.substr(*pos, 2) != kCrlf) {
    return Malformed("a boundary line goes on after the boundary (or the body ends there)");
  }
  *pos += 2;
  return false;
}

struct PartHeaders {
  std::optional<HeaderValue> disposition;
  std::optional<std::string> content_type;
};

Status ReadHeaderLine(std::string_view line, PartHeaders* headers) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return Malformed("a part header has no name");
  for (char c : line.substr(0, colon)) {
    if (!IsTokenChar(c)) return Malformed("a part header name has an invalid character");
  }
  std::string name = Lower(line.substr(0, colon));
  std::string_view value = Trim(line.substr(colon + 1));
  if (HasControl(value)) return Malformed("part header '" + name + "' has a control character");
  if (name == "content-disposition") {
    if (headers->disposition) return Malformed("a part has two Content-Disposition headers");
    SH_ASSIGN_OR_RETURN(headers->disposition, ParseHeaderValue(value));
  } else if (name == "content-type") {
    if (headers->content_type) return Malformed("a part has two Content-Type headers");
    headers->content_type = std::string(value);
  }
  return Status::Ok();
}

// The header block (lines joined by CRLF, without the blank line) into a FormPart without data.
Result<FormPart> ReadPartHeaders(std::string_view block) {
  PartHeaders headers;
  while (!block.empty()) {
    size_t end = block.find(kCrlf);
    std::string_view line = block.substr(0, end);
    if (line.find('\r') != std::string_view::npos || line.find('\n') != std::string_view::npos) {
      return Malformed("a part header line has a bare CR or LF");
    }
    if (line.empty() || IsSpace(line.front()))
      return Malformed("folded part header lines are not allowed");
    SH_TRY(ReadHeaderLine(line, &headers));
    block = end == std::string_view::npos ? std::string_view{} : block.substr(end + 2);
  }
  if (!headers.disposition || headers.disposition->value != "form-data") {
    return Malformed("a part has no 'Content-Disposition: form-data' header");
  }
  const std::string* name = headers.disposition->Param("name");
  if (name == nullptr) return Malformed("a part has no name");
  FormPart part;
  part.name = *name;
  if (const std::string* filename = headers.disposition->Param("filename")) {
    part.filename = *filename;
  }
  if (part.name.find('\0') != std::string::npos ||
      (part.filename && part.filename->find('\0') != std::string::npos)) {
    return Malformed("a part's name or filename contains a NUL byte");
  }
  part.content_type = headers.content_type.value_or("text/plain");
  return part;
}

// One part starting at `*pos` (just after its delimiter line); leaves `*pos` at the next delimiter.
Result<FormPart> ReadPart(std::string_view body, std::string_view delimiter, size_t* pos,
                          const MultipartLimits& limits) {
  std::string_view rest = body.substr(*pos);
  size_t header_end = 0;
  if (!rest.starts_with(kCrlf)) {
    std::string_view window = rest.substr(0, limits.max_header_bytes + 4);
    size_t blank = window.find("\r\n\r\n");
    if (blank == std::string_view::npos) {
      return rest.size() > limits.max_header_bytes + 4
                 ? Malformed("a part's headers are longer than " +
                             std::to_string(limits.max_header_bytes) + " bytes")
                 : Malformed("a part's headers never end");
    }
    header_end = blank + 2;
  }
  SH_ASSIGN_OR_RETURN(FormPart part, ReadPartHeaders(rest.substr(0, header_end)));
  size_t data_start = *pos + header_end + 2;
  std::string next = std::string(kCrlf) + std::string(delimiter);
  size_t data_end = body.find(next, data_start);
  if (data_end == std::string_view::npos)
    return Malformed("the body ends before its closing boundary");
  part.data = body.substr(data_start, data_end - data_start);
  *pos = data_end + kCrlf.size();
  return part;
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type_header) {
  SH_ASSIGN_OR_RETURN(HeaderValue type, ParseHeaderValue(content_type_header));
  if (type.value != "multipart/form-data") {
    return Status::InvalidArgument("Expected a multipart/form-data body, got '" + type.value + "'");
  }
  const std::string* boundary = type.Param("boundary");
  if (boundary == nullptr) return Status::InvalidArgument("multipart/form-data without a boundary");
  bool valid = !boundary->empty() && boundary->size() <= kMaxBoundary && boundary->back() != ' ';
  for (char c : *boundary) valid = valid && IsBoundaryChar(c);
  if (!valid) {
    return Status::InvalidArgument(
        "multipart/form-data boundary must be 1 to 70 letters, digits or '()+_,-./:=? ");
  }
  return *boundary;
}

Result<std::vector<FormPart>> ParseMultipart(std::string_view content_type_header,
                                             std::string_view body, const MultipartLimits& limits) {
  SH_ASSIGN_OR_RETURN(std::string boundary, MultipartBoundary(content_type_header));
  const std::string delimiter = "--" + boundary;
  SH_ASSIGN_OR_RETURN(size_t pos, FindFirstDelimiter(body, delimiter));
  std::vector<FormPart> parts;
  while (true) {
    pos += delimiter.size();
    SH_ASSIGN_OR_RETURN(bool closing, EndOfDelimiter(body, &pos));
    if (closing) return parts;
    if (parts.size() == limits.max_parts) {
      return Malformed("more than " + std::to_string(limits.max_parts) + " parts");
    }
    SH_ASSIGN_OR_RETURN(FormPart part, ReadPart(body, delimiter, &pos, limits));
    parts.push_back(std::move(part));
  }
}

}  // namespace spacehub::http
