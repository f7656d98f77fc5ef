// Small HTML pieces the report's sections share: escaped table cells and
// fixed-precision numbers.
#ifndef REDLINE_REPORT_HTML_CELLS_H_
#define REDLINE_REPORT_HTML_CELLS_H_

#include <string>
#include <vector>

namespace redline {

/// `v` with `digits` decimals ("0.50").
std::string Fixed(double v, int digits);
/// "37.5%": a rate in [0, 1] as a percentage with one decimal.
std::string Percent(double v);
/// "37.5% – 80.1%": a Wilson interval as the tables print it.
std::string IntervalText(double low, double high);
/// <td class=… data-field=…>escaped text</td>; empty class/field left out.
std::string Td(const std::string& text, const std::string& cls = "",
               const std::string& field = "");
/// A header row of escaped texts.
std::string Th(const std::vector<std::string>& headers);

}  // namespace redline

#endif  // REDLINE_REPORT_HTML_CELLS_H_
