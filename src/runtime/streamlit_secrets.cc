#include "runtime/streamlit_secrets.h"

#include <cctype>
#include <cstdio>

namespace spacehub::runtime {
namespace {

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

bool BareKey(const std::string& k) {
  if (k.empty()) return false;
  for (unsigned char c : k) {
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string StreamlitSecretsToml(const std::map<std::string, std::string>& secrets) {
  std::string out;
  for (const auto& [k, v] : secrets) {
    out += (BareKey(k) ? k : Quoted(k)) + " = " + Quoted(v) + "\n";
  }
  return out;
}

}  // namespace spacehub::runtime
