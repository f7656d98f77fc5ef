// provider/name → Model. The one place that knows every provider.
#include <algorithm>

#include "base/error.h"
#include "llm/anthropic_model.h"
#include "llm/model.h"
#include "llm/openai_model.h"
#include "llm/replay_model.h"
#include "llm/scripted_models.h"

namespace redline {

int ApproxTokens(const std::string& text) {
  return static_cast<int>((text.size() + 3) / 4);
}

std::unique_ptr<Model> MakeModel(const std::string& spec,
                                 const ModelOptions& options) {
  size_t slash = spec.find('/');
  if (slash == std::string::npos)
    throw InputError("--model " + spec +
                     ": expected provider/name, e.g. scripted/reference");
  std::string provider = spec.substr(0, slash);
  std::string name = spec.substr(slash + 1);
  if (provider == "scripted" && name == "reference")
    return MakeReferenceModel(options);
  if (provider == "scripted" && name == "null") return MakeNullModel(options);
  if (provider == "scripted")
    throw InputError("--model " + spec +
                     ": unknown scripted model (known: scripted/reference, "
                     "scripted/null)");
  if (provider == "replay") return MakeReplayModel(name, options);
  if (provider == "openai") return MakeOpenAiModel(name, options);
  if (provider == "anthropic") return MakeAnthropicModel(name, options);
  throw InputError("--model " + spec + ": unknown provider '" + provider +
                   "' (known: scripted, replay, openai, anthropic)");
}

}  // namespace redline
