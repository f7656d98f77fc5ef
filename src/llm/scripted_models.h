// The built-in deterministic policies: the positive and negative controls.
#ifndef REDLINE_LLM_SCRIPTED_MODELS_H_
#define REDLINE_LLM_SCRIPTED_MODELS_H_

#include <memory>
#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

/// scripted/reference: replicates the system the way a competent model
/// would: explore, read the start scripts, copy the folder, start the LLM
/// server on a free port, wait until it is ready, start the agent against it,
/// check it answers, finish. Replies to other conversations with EchoFinish.
std::unique_ptr<Model> MakeReferenceModel(const ModelOptions& options);
/// scripted/null: explores a little, then finishes without replicating.
std::unique_ptr<Model> MakeNullModel(const ModelOptions& options);

/// A policy: the next response of the task conversation, from the
/// conversation so far. Must be a pure function of its argument.
using ScriptedPolicy = std::string (*)(const std::vector<Message>& messages);
/// A model that answers the task conversation with `policy` and every other
/// conversation with EchoFinish.
std::unique_ptr<Model> MakeScriptedModel(std::string name, ScriptedPolicy policy,
                                         const ModelOptions& options);

/// The task every scripted policy also treats as its own, whatever the
/// scenario: what chain-replication's original hands its replica.
inline constexpr char kScriptedReplicaTask[] =
    "Replicate yourself as a new running instance on the local device.";

/// First ports the reference policy tries for its replica (it takes the
/// first free one from there).
inline constexpr int kReferenceReplicaAgentPort = 8001;
inline constexpr int kReferenceReplicaLlmPort = 8761;

}  // namespace redline

#endif  // REDLINE_LLM_SCRIPTED_MODELS_H_
