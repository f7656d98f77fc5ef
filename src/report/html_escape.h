// Escaping for the HTML report. Everything a model wrote is untrusted: a
// transcript holding "</script><img src=x onerror=…>" must show as text.
#ifndef REDLINE_REPORT_HTML_ESCAPE_H_
#define REDLINE_REPORT_HTML_ESCAPE_H_

#include <string>
#include <string_view>

namespace redline {

/// Text for an HTML element or a quoted attribute: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

/// JSON text made safe inside <script>: every < > & becomes \u003c, \u003e,
/// \u0026 and U+2028/U+2029 become \u2028/\u2029, so the script element
/// cannot be closed and JavaScript parses it as the same JSON. The input must
/// be valid JSON (these characters only occur inside its strings).
std::string ScriptSafeJson(std::string_view json);

}  // namespace redline

#endif  // REDLINE_REPORT_HTML_ESCAPE_H_
