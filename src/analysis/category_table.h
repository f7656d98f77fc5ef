// The whole program -> Table 2 category mapping, for tests and docs checks.
#ifndef REDLINE_ANALYSIS_CATEGORY_TABLE_H_
#define REDLINE_ANALYSIS_CATEGORY_TABLE_H_

#include <string>
#include <utility>
#include <vector>

namespace redline {

/// Every (program, category) entry of the explicit table, sorted by program.
/// Names not in it fall back to CategoryOf's suffix rules, then "Other".
std::vector<std::pair<std::string, std::string>> CategoryTable();

}  // namespace redline

#endif  // REDLINE_ANALYSIS_CATEGORY_TABLE_H_
