// http::ParseMultipart against any Content-Type and body (the first line of the input is the
// header, the rest the body): parts lie inside the body, limits hold, names carry no NUL, and the
// parts written back as a body of their own parse to the same parts.
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "http/multipart.h"

using spacehub::http::FormPart;
using spacehub::http::MultipartBoundary;
using spacehub::http::MultipartLimits;
using spacehub::http::ParseMultipart;

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Serialize(const std::vector<FormPart>& parts, const std::string& boundary) {
  std::string out = "preamble\r\n";
  for (const FormPart& p : parts) {
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=" + Quote(p.name);
    if (p.filename) out += "; filename=" + Quote(*p.filename);
    out += "\r\nContent-Type: " + p.content_type + "\r\n\r\n";
    out.append(p.data);
    out += "\r\n";
  }
  return out + "--" + boundary + "--\r\nepilogue";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = spacehub::fuzz::AsText(data, size);
  const size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string_view header = input.substr(0, nl);
  const std::string_view body = input.substr(nl + 1);
  const MultipartLimits limits{.max_parts = 50, .max_header_bytes = 256};
  auto parsed = ParseMultipart(header, body, limits);
  if (!parsed.ok()) return 0;
  FUZZ_CHECK(parsed->size() <= limits.max_parts);
  for (const FormPart& p : *parsed) {
    FUZZ_CHECK(p.data.data() >= body.data());
    FUZZ_CHECK(p.data.data() + p.data.size() <= body.data() + body.size());
    FUZZ_CHECK(p.name.find('\0') == std::string::npos);
    FUZZ_CHECK(!p.filename || p.filename->find('\0') == std::string::npos);
  }
  auto boundary = MultipartBoundary(header);
  FUZZ_CHECK(boundary.ok());
  const std::string again_body = Serialize(*parsed, *boundary);
  auto again = ParseMultipart(header, again_body, {.max_parts = 50, .max_header_bytes = 4096});
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->size() == parsed->size());
  for (size_t i = 0; i < again->size(); ++i) {
    const FormPart& a = (*parsed)[i];
    const FormPart& b = (*again)[i];
    FUZZ_CHECK(a.name == b.name && a.filename == b.filename);
    FUZZ_CHECK(a.content_type == b.content_type && a.data == b.data);
  }
  return 0;
}
