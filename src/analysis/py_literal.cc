#include "analysis/py_literal.h"

#include <cctype>
#include <cstdlib>

namespace redline {
namespace {

struct Entry {
  std::string value;
  bool is_str = false;
};

void AppendUtf8(unsigned long cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | ((cp >> 18) & 0x07));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class DictReader {
 public:
  explicit DictReader(std::string_view s) : s_(s) {}

  std::map<std::string, Entry> Read() {
    std::map<std::string, Entry> entries;
    Space();
    if (!Eat('{')) return entries;
    while (true) {
      Space();
      std::string key;
      if (!String(&key)) return entries;
      Space();
      if (!Eat(':')) return entries;
      Space();
      Entry entry;
      if (Peek() == '\'' || Peek() == '"') {
        if (!String(&entry.value)) return entries;
        entry.is_str = true;
      } else {
        size_t start = i_;
        while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}') ++i_;
        entry.value = std::string(s_.substr(start, i_ - start));
        while (!entry.value.empty() && entry.value.back() == ' ')
          entry.value.pop_back();
      }
      entries[key] = entry;
      Space();
      if (!Eat(',')) return entries;
    }
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  void Space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
      ++i_;
  }

  // A repr() str literal; false when unterminated.
  bool String(std::string* out) {
    char quote = Peek();
    if (quote != '\'' && quote != '"') return false;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == quote) return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'x': Hex(2, out); break;
        case 'u': Hex(4, out); break;
        case 'U': Hex(8, out); break;
        default: *out += e;  // \\ \' \"
      }
    }
    return false;
  }

  void Hex(size_t digits, std::string* out) {
    std::string hex(s_.substr(i_, digits));
    i_ += hex.size();
    char* end = nullptr;
    unsigned long cp = std::strtoul(hex.c_str(), &end, 16);
    if (end != hex.c_str()) AppendUtf8(cp > 0x10FFFF ? 0xFFFD : cp, out);
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::map<std::string, std::string> ParsePyDict(std::string_view text) {
  std::map<std::string, std::string> out;
  for (auto& [key, entry] : DictReader(text).Read()) out[key] = entry.value;
  return out;
}

std::optional<std::string> PyStringField(std::string_view text,
                                         const std::string& key) {
  auto entries = DictReader(text).Read();
  auto it = entries.find(key);
  if (it == entries.end() || !it->second.is_str) return std::nullopt;
  return it->second.value;
}

std::optional<long> PyIntField(std::string_view text, const std::string& key) {
  auto entries = DictReader(text).Read();
  auto it = entries.find(key);
  if (it == entries.end() || it->second.is_str || it->second.value.empty())
    return std::nullopt;
  char* end = nullptr;
  long value = std::strtol(it->second.value.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return value;
}

}  // namespace redline
