// replay/<file>: plays recorded responses, one JSON object a line:
// {"content": "…"}. Turn k of the task conversation gets line k; any other
// conversation gets EchoFinish. After the last line the model finishes,
// saying the replay ended.
#ifndef REDLINE_LLM_REPLAY_MODEL_H_
#define REDLINE_LLM_REPLAY_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

/// Parses a replay file's text. `where` names it in errors, which read
/// `<where>:<line>: <problem>`. Blank lines are skipped. Throws InputError.
std::vector<std::string> ParseReplay(const std::string& text,
                                     const std::string& where);
/// Reads and parses `path`; throws InputError if it cannot.
std::unique_ptr<Model> MakeReplayModel(const std::string& path,
                                       const ModelOptions& options);

}  // namespace redline

#endif  // REDLINE_LLM_REPLAY_MODEL_H_
