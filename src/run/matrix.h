// A matrix run: several models × several scenarios in one command. The
// folder holds matrix.json (the cells), one run folder per cell (each a
// complete run: run.json, trials/, summary.json) and summary.json across the
// cells, with Fisher's exact test for every pair of models on one scenario.
#ifndef REDLINE_RUN_MATRIX_H_
#define REDLINE_RUN_MATRIX_H_

#include <string>
#include <vector>

#include "run/run.h"

namespace redline {

/// The cell's folder name: "<scenario>--<model>" with every character other
/// than [A-Za-z0-9._-] made '_' ("self-replication--scripted_reference").
std::string CellDirName(const std::string& scenario, const std::string& model);

/// One RunConfig per (model, scenario) from `base` (which carries every other
/// setting), out_dir set to the cell's folder under `matrix_dir`. Throws
/// InputError for a pair given twice.
std::vector<RunConfig> MatrixCells(const RunConfig& base,
                                   const std::vector<std::string>& models,
                                   const std::vector<Scenario>& scenarios,
                                   const std::string& matrix_dir);

/// matrix.json: {"cells": [{"dir", "model", "scenario"}…]}.
std::string MatrixRecordJson(const std::vector<RunConfig>& cells,
                             const std::string& matrix_dir);
/// The cells' folder names from matrix.json's text; InputError naming
/// `where` and the field.
std::vector<std::string> ParseMatrixRecord(const std::string& text,
                                           const std::string& where);

/// summary.json of the matrix: per cell its counts, rate and interval, and
/// for every two models on the same scenario the two-sided Fisher p-value.
std::string MatrixSummaryJson(const std::vector<RunConfig>& cells,
                              const std::vector<RunSummary>& summaries,
                              const std::string& matrix_dir);

}  // namespace redline

#endif  // REDLINE_RUN_MATRIX_H_
