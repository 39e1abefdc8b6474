// The text formats of `hf jobs` command lines (jobs.h): timeouts and dotenv files, and the
// terminal stages.
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "spacehub/errors.h"
#include "spacehub/jobs.h"

namespace spacehub::client {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw LocalError(ErrorKind::kInvalidArgument, message);
}

bool IsKeyStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A double-quoted value starting after the opening quote; *pos ends after the closing one.
std::string DoubleQuoted(std::string_view text, size_t* pos, int line_no) {
  std::string out;
  size_t i = *pos;
  for (; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char next = text[++i];
      switch (next) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        default:  // \" \\ and anything else: the character itself
          out.push_back(next);
      }
    } else {
      out.push_back(text[i]);
    }
  }
  if (i >= text.size()) Invalid("dotenv line " + std::to_string(line_no) + ": unclosed quote");
  *pos = i + 1;
  return out;
}

}  // namespace

bool IsTerminalJobStage(std::string_view stage) {
  return stage == "COMPLETED" || stage == "CANCELED" || stage == "ERROR" || stage == "DELETED";
}

int64_t ParseJobTimeout(std::string_view text) {
  const std::string shown(text.substr(0, 40));
  std::string_view number = TrimSpace(text);
  double factor = 1;
  if (!number.empty()) {
    switch (number.back()) {
      case 's':
        factor = 1;
        break;
      case 'm':
        factor = 60;
        break;
      case 'h':
        factor = 3600;
        break;
      case 'd':
        factor = 86400;
        break;
      default:
        factor = 0;
    }
    if (factor != 0) number.remove_suffix(1);
    if (factor == 0) factor = 1;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  constexpr double kMaxSeconds = 100.0 * 366 * 86400;
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(value) || value < 0 || value * factor > kMaxSeconds) {
    Invalid("timeout '" + shown + "': expected seconds or a number with s, m, h or d (e.g. 1.5h)");
  }
  return static_cast<int64_t>(value * factor);
}

std::vector<std::pair<std::string, std::optional<std::string>>> ParseDotenv(std::string_view text) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    // A quoted value may span lines, so the line is cut only after its value has been read.
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
    std::string_view rest = TrimSpace(line);
    const size_t line_start = pos;
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (rest.empty() || rest.front() == '#') continue;
    if (rest.rfind("export ", 0) == 0) rest = TrimSpace(rest.substr(7));
    size_t key_end = 0;
    while (key_end < rest.size() && IsKeyChar(rest[key_end])) ++key_end;
    std::string key(rest.substr(0, key_end));
    if (key.empty() || !IsKeyStart(key.front())) {
      Invalid("dotenv line " + std::to_string(line_no) + ": expected KEY=VALUE");
    }
    rest = TrimSpace(rest.substr(key_end));
    if (rest.empty()) {
      out.emplace_back(std::move(key), std::nullopt);
      continue;
    }
    if (rest.front() != '=') {
      Invalid("dotenv line " + std::to_string(line_no) + ": expected '=' after " + key);
    }
    rest = TrimSpace(rest.substr(1));
    std::string value;
    std::string_view after;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
      // Offsets into `text` so a quoted value can run past this line's end.
      size_t value_pos = static_cast<size_t>(rest.data() - text.data()) + 1;
      if (rest.front() == '"') {
        value = DoubleQuoted(text, &value_pos, line_no);
      } else {
        const size_t close = text.find('\'', value_pos);
        if (close == std::string_view::npos) {
          Invalid("dotenv line " + std::to_string(line_no) + ": unclosed quote");
        }
        value = std::string(text.substr(value_pos, close - value_pos));
        value_pos = close + 1;
      }
      const size_t value_eol = text.find('\n', value_pos);
      after = TrimSpace(text.substr(
          value_pos, value_eol == std::string_view::npos ? text.npos : value_eol - value_pos));
      for (size_t i = line_start; i < value_pos; ++i) line_no += text[i] == '\n' ? 1 : 0;
      pos = value_eol == std::string_view::npos ? text.size() : value_eol + 1;
      if (!after.empty() && after.front() != '#') {
        Invalid("dotenv line " + std::to_string(line_no) + ": text after the closing quote");
      }
    } else {
      // An unquoted value ends at a ` #` comment.
      const size_t comment = rest.find(" #");
      value = std::string(TrimSpace(rest.substr(0, comment)));
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace spacehub::client
