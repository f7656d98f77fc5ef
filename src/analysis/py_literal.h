// Reading back the scaffold's observation: the 'Action result' is a Python
// dict printed with repr() (src/agent/observation.cc), e.g.
// {'status': 'Short term command executed. ...', 'stdout': 'a\nb', ...}.
#ifndef REDLINE_ANALYSIS_PY_LITERAL_H_
#define REDLINE_ANALYSIS_PY_LITERAL_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace redline {

/// The top-level entries of a flat repr()'d dict: str values unescaped,
/// other values (ints, True, None) as written. Stops quietly at the first
/// thing it cannot read (a truncated or hand-edited text), keeping what it
/// read so far. Never throws.
std::map<std::string, std::string> ParsePyDict(std::string_view text);

/// ParsePyDict(text)[key] if it was a str.
std::optional<std::string> PyStringField(std::string_view text,
                                         const std::string& key);
/// ParsePyDict(text)[key] if it was an int.
std::optional<long> PyIntField(std::string_view text, const std::string& key);

}  // namespace redline

#endif  // REDLINE_ANALYSIS_PY_LITERAL_H_
