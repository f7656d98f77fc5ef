// ProgramsOf: the program names a shell command line runs.
//
// Not a shell: a small recursive reader that knows enough of bash's syntax to
// find where each simple command starts (separators, subshells, command
// substitution, quotes, redirections, here-documents) and what its first word
// is. Model output is arbitrary, so nothing here throws and the recursion is
// bounded; what cannot be understood is skipped, never guessed at.
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/behaviour.h"

namespace redline {
namespace {

constexpr int kMaxDepth = 32;

// Words that start or end a compound command: dropped, the word after them
// (if any) is the command.
const std::set<std::string, std::less<>> kPrefixKeywords = {
    "if", "then", "else", "elif", "while", "until", "do", "!", "time",
    "{", "}", "fi", "done", "esac", "[[", "]]"};
// Compound commands whose words are not commands (for x in a b; case ...).
const std::set<std::string, std::less<>> kSkipKeywords = {"for", "case",
                                                          "select", "function"};

// Wrappers run the command in their arguments; each with its options that
// take a value (so that value is not taken for the command).
struct Wrapper {
  std::string_view name;
  std::set<std::string_view> options_with_value;
  int positional_before_command;  // timeout DURATION cmd
};
const std::vector<Wrapper>& Wrappers() {
  static const std::vector<Wrapper> kWrappers = {
      {"nohup", {}, 0},
      {"setsid", {}, 0},
      {"exec", {"-a"}, 0},
      {"command", {}, 0},
      {"builtin", {}, 0},
      {"nice", {"-n"}, 0},
      {"ionice", {"-c", "-n", "-p"}, 0},
      {"stdbuf", {"-i", "-o", "-e"}, 0},
      {"sudo", {"-u", "-g", "-C", "-h", "-p", "-U"}, 0},
      {"timeout", {"-s", "-k", "--signal", "--kill-after"}, 1},
      {"env", {"-u", "-C", "--unset", "--chdir"}, 0},
      {"xargs", {"-I", "-n", "-P", "-d", "-L", "-s", "-E"}, 0},
      {"watch", {"-n", "-d"}, 0},
      {"strace", {"-o", "-e", "-p"}, 0},
  };
  return kWrappers;
}
const Wrapper* FindWrapper(std::string_view name) {
  for (const Wrapper& w : Wrappers())
    if (w.name == name) return &w;
  return nullptr;
}

bool IsShell(std::string_view name) {
  return name == "bash" || name == "sh" || name == "zsh" || name == "dash" ||
         name == "su";
}

// NAME=value (as the word was read, quotes removed).
bool IsAssignment(const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  if (!(std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_'))
    return false;
  for (size_t i = 0; i < eq; ++i) {
    unsigned char c = word[i];
    if (!(std::isalnum(c) || c == '_')) return false;
  }
  return true;
}

std::string Basename(const std::string& word) {
  std::string name = word;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  size_t slash = name.rfind('/');
  if (slash != std::string::npos && slash + 1 < name.size())
    name = name.substr(slash + 1);
  return name;
}

class Reader {
 public:
  Reader(std::string_view text, std::vector<std::string>* out)
      : s_(text), out_(out) {}

  // Reads commands until the end, or until `close` (')' or '`') at this
  // nesting level, which it consumes.
  void List(char close, int depth) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, skip_next_word = false;
    auto end_word = [&] {
      if (in_word) {
        if (skip_next_word)
          skip_next_word = false;  // the target of a redirection
        else
          words.push_back(word);
      }
      word.clear();
      in_word = false;
    };
    // Programs of substitutions inside this command were collected while
    // its words were read; the command's own go before them.
    size_t command_start = out_->size();
    auto end_command = [&] {
      end_word();
      std::vector<std::string> mine;
      Command(words, depth, &mine);
      out_->insert(out_->begin() + command_start, mine.begin(), mine.end());
      words.clear();
      command_start = out_->size();
    };
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == close && close != 0) {
        ++i_;
        end_command();
        return;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
        end_word();
      } else if (c == '\n') {
        ++i_;
        end_command();
        SkipHereDocs();
      } else if (c == ';' || c == '|' || c == '&') {
        if (c == '&' && i_ + 1 < s_.size() && s_[i_ + 1] == '>') {
          ++i_;  // &> file: a redirection, not a separator
          end_word();
          Redirection(&skip_next_word);
          continue;
        }
        ++i_;
        end_command();
      } else if (c == ')') {
        ++i_;  // a stray ')' or the end of a case pattern
        end_command();
      } else if (c == '(' && !in_word) {
        ++i_;
        end_command();
        if (depth < kMaxDepth) List(')', depth + 1); else SkipTo(')');
      } else if (c == '`') {
        ++i_;
        in_word = true;
        if (depth < kMaxDepth) Nested('`', depth); else SkipTo('`');
      } else if (c == '$' && i_ + 1 < s_.size() && s_[i_ + 1] == '(') {
        in_word = true;
        word += "$()";
        Substitution(depth);
      } else if (c == '\'') {
        in_word = true;
        size_t end = s_.find('\'', i_ + 1);
        if (end == std::string_view::npos) end = s_.size();
        word.append(s_.substr(i_ + 1, end - i_ - 1));
        i_ = end + 1;
      } else if (c == '"') {
        in_word = true;
        DoubleQuoted(&word, depth);
      } else if (c == '\\') {
        in_word = true;
        if (i_ + 1 < s_.size() && s_[i_ + 1] != '\n') word += s_[i_ + 1];
        i_ += 2;
      } else if (c == '#' && !in_word) {
        size_t end = s_.find('\n', i_);
        i_ = end == std::string_view::npos ? s_.size() : end;
      } else if (c == '<' || c == '>') {
        // "2>" : the digits were an fd number, not a word.
        if (in_word && !word.empty() &&
            word.find_first_not_of("0123456789") == std::string::npos) {
          word.clear();
          in_word = false;
        }
        end_word();
        Redirection(&skip_next_word);
      } else {
        in_word = true;
        word += c;
        ++i_;
      }
    }
    end_command();
  }

 private:
  // At '$(' : arithmetic $(( )) is skipped, a command substitution read.
  void Substitution(int depth) {
    if (i_ + 2 < s_.size() && s_[i_ + 2] == '(') {
      size_t end = s_.find("))", i_ + 3);
      i_ = end == std::string_view::npos ? s_.size() : end + 2;
      return;
    }
    i_ += 2;
    if (depth < kMaxDepth) Nested(')', depth); else SkipTo(')');
  }

  // A nested command list inside a word: its programs are collected too.
  void Nested(char close, int depth) { List(close, depth + 1); }

  void DoubleQuoted(std::string* word, int depth) {
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size()) {
        *word += s_[i_ + 1];
        i_ += 2;
      } else if (c == '$' && i_ + 1 < s_.size() && s_[i_ + 1] == '(') {
        *word += "$()";
        Substitution(depth);
      } else if (c == '`') {
        ++i_;
        if (depth < kMaxDepth) Nested('`', depth); else SkipTo('`');
      } else {
        *word += c;
        ++i_;
      }
    }
    ++i_;  // the closing quote (or past the end)
  }

  // At '<' or '>' (or the '>' of '&>'): consumes the operator. A here-doc
  // (<<, <<-) registers its delimiter; "<&3", ">&2", ">&-" need no target;
  // anything else makes the next word a file name, not a command.
  void Redirection(bool* skip_next_word) {
    char first = s_[i_];
    size_t start = i_;
    while (i_ < s_.size() && (s_[i_] == '<' || s_[i_] == '>' || s_[i_] == '|'))
      ++i_;
    std::string_view op = s_.substr(start, i_ - start);
    if (first == '<' && op == "<<") {
      if (i_ < s_.size() && s_[i_] == '-') ++i_;
      HereDocDelimiter();
      return;
    }
    if (i_ < s_.size() && s_[i_] == '&') {
      ++i_;
      while (i_ < s_.size() &&
             (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-'))
        ++i_;
      if (i_ > 0 && s_[i_ - 1] != '&') return;  // >&2, >&-
    }
    *skip_next_word = true;
  }

  void HereDocDelimiter() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    std::string delimiter;
    while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) &&
           s_[i_] != ';' && s_[i_] != '|' && s_[i_] != '&' && s_[i_] != ')') {
      if (s_[i_] != '\'' && s_[i_] != '"' && s_[i_] != '\\') delimiter += s_[i_];
      ++i_;
    }
    if (!delimiter.empty()) here_docs_.push_back(delimiter);
  }

  // After a newline: the bodies of pending here-docs are data, not commands.
  void SkipHereDocs() {
    for (const std::string& delimiter : here_docs_) {
      while (i_ < s_.size()) {
        size_t end = s_.find('\n', i_);
        if (end == std::string_view::npos) end = s_.size();
        std::string_view line = s_.substr(i_, end - i_);
        i_ = end < s_.size() ? end + 1 : end;
        size_t b = line.find_first_not_of('\t');
        if (b != std::string_view::npos) line = line.substr(b);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
          line.remove_suffix(1);
        if (line == delimiter) break;
      }
    }
    here_docs_.clear();
  }

  void SkipTo(char close) {
    size_t end = s_.find(close, i_);
    i_ = end == std::string_view::npos ? s_.size() : end + 1;
  }

  // One simple command's words: records its program, and for wrappers and
  // `bash -c STRING` the programs they run.
  void Command(const std::vector<std::string>& words, int depth,
               std::vector<std::string>* out) {
    size_t k = 0;
    while (k < words.size()) {
      if (IsAssignment(words[k]) || words[k].empty()) {
        ++k;
      } else if (kPrefixKeywords.count(words[k])) {
        ++k;
      } else {
        break;
      }
    }
    if (k >= words.size() || kSkipKeywords.count(words[k])) return;
    std::string program = Basename(words[k]);
    if (program == "$()") return;  // the program is computed: unknown
    out->push_back(program);
    if (const Wrapper* w = FindWrapper(program)) {
      size_t next = AfterWrapperOptions(*w, words, k + 1);
      if (next < words.size())
        Command(std::vector<std::string>(words.begin() + next, words.end()),
                depth, out);
    } else if (IsShell(program)) {
      ShellString(words, k + 1, depth, out);
    }
  }

  static size_t AfterWrapperOptions(const Wrapper& w,
                                    const std::vector<std::string>& words,
                                    size_t k) {
    int positional = w.positional_before_command;
    while (k < words.size()) {
      const std::string& a = words[k];
      if (a == "--") return k + 1;
      if (a.size() > 1 && a[0] == '-') {
        k += w.options_with_value.count(a) ? 2 : 1;
      } else if (w.name == "env" && IsAssignment(a)) {
        ++k;
      } else if (positional > 0) {
        --positional;
        ++k;
      } else {
        return k;
      }
    }
    return k;
  }

  // bash -c 'STRING' / bash -lc "STRING": STRING is analysed as a command.
  void ShellString(const std::vector<std::string>& words, size_t k, int depth,
                   std::vector<std::string>* out) {
    for (; k < words.size(); ++k) {
      const std::string& a = words[k];
      if (a.size() < 2 || a[0] != '-' || a[1] == '-') return;
      if (a.find('c') != std::string::npos) {
        if (k + 1 < words.size() && depth < kMaxDepth) {
          Reader inner(words[k + 1], out);
          inner.List(0, depth + 1);
        }
        return;
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  std::vector<std::string>* out_;
  std::vector<std::string> here_docs_;
};

}  // namespace

std::vector<std::string> ProgramsOf(const std::string& command) {
  std::vector<std::string> programs;
  try {
    Reader reader(command, &programs);
    reader.List(0, 0);
  } catch (...) {
    // Only allocation can fail in the reader; keep what was found.
  }
  return programs;
}

}  // namespace redline
