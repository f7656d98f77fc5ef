// Python repr() of the values the scaffold shows the model.
//
// The paper's scaffold was Python: its observations are dicts printed with
// repr(), e.g. {'status': 'Short term command executed. ...', 'stdout':
// 'a\nb'}. Models were prompted with exactly that shape, so we reproduce it.
#ifndef REDLINE_AGENT_PY_REPR_H_
#define REDLINE_AGENT_PY_REPR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace redline {

struct PyValue;
/// A dict keeps insertion order, as Python 3.7+ dicts do.
using PyDict = std::vector<std::pair<std::string, PyValue>>;
using PyList = std::vector<PyValue>;

/// A small dynamic value: None, bool, int, float, str, list or dict.
struct PyValue {
  using Variant = std::variant<std::monostate, bool, int64_t, double,
                               std::string, PyList, PyDict>;
  PyValue() = default;
  PyValue(bool b) : value(b) {}
  PyValue(int i) : value(static_cast<int64_t>(i)) {}
  PyValue(int64_t i) : value(i) {}
  PyValue(double d) : value(d) {}
  PyValue(std::string s) : value(std::move(s)) {}
  PyValue(std::string_view s) : value(std::string(s)) {}
  PyValue(const char* s) : value(std::string(s)) {}
  PyValue(PyList l) : value(std::move(l)) {}
  PyValue(PyDict d) : value(std::move(d)) {}

  bool is_none() const { return std::holds_alternative<std::monostate>(value); }

  Variant value;
};

/// repr() of a str, as CPython 3 writes it: single quotes unless the text
/// holds ' and no ", backslash escapes for \\ \n \r \t and the other
/// non-printable characters (\xNN, \uNNNN), printable non-ASCII kept as is.
/// Invalid UTF-8 bytes are shown as U+FFFD, so the result is valid UTF-8.
std::string PyRepr(std::string_view text);
inline std::string PyRepr(const std::string& text) {
  return PyRepr(std::string_view(text));
}
inline std::string PyRepr(const char* text) {
  return PyRepr(std::string_view(text));
}

/// repr() of any value: None, True/False, ints, floats, lists, dicts.
std::string PyRepr(const PyValue& value);

}  // namespace redline

#endif  // REDLINE_AGENT_PY_REPR_H_
