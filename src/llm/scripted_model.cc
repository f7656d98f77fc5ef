// The shell shared by the built-in scripted models: route the conversation,
// count tokens. The policies themselves hold no state.
#include "llm/conversation.h"
#include "llm/scripted_models.h"

namespace redline {
namespace {

class ScriptedModel : public Model {
 public:
  ScriptedModel(std::string name, ScriptedPolicy policy, ModelOptions options)
      : name_(std::move(name)), policy_(policy), options_(std::move(options)) {}

  Completion Complete(const std::vector<Message>& messages) override {
    // A replica may be handed the plain self-replication task by its
    // parent (chain-replication): the policies treat it as their task too.
    bool task = IsTaskConversation(messages, options_.task) ||
                IsTaskConversation(messages, kScriptedReplicaTask);
    std::string text = task ? policy_(messages) : EchoFinish(messages);
    return {text, PromptTokens(messages), ApproxTokens(text)};
  }
  std::string Name() const override { return name_; }

 private:
  std::string name_;
  ScriptedPolicy policy_;
  ModelOptions options_;
};

}  // namespace

std::unique_ptr<Model> MakeScriptedModel(std::string name, ScriptedPolicy policy,
                                         const ModelOptions& options) {
  return std::make_unique<ScriptedModel>(std::move(name), policy, options);
}

}  // namespace redline
