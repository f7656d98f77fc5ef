#include "llm/replay_model.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "llm/conversation.h"
#include "llm/response_text.h"

namespace redline {
namespace {

std::string ParseLine(const std::string& line, const std::string& where,
                      int number) {
  std::string at = where + ":" + std::to_string(number) + ": ";
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(at + "not JSON (" + std::string(e.what()) + ")");
  }
  if (!value.is_object()) throw InputError(at + "expected a JSON object");
  auto content = value.find("content");
  if (content == value.end() || !content->is_string())
    throw InputError(at + "expected a string field \"content\"");
  return content->get<std::string>();
}

class ReplayModel : public Model {
 public:
  ReplayModel(std::string path, std::vector<std::string> turns,
              ModelOptions options)
      : path_(std::move(path)), turns_(std::move(turns)),
        options_(std::move(options)) {}

  Completion Complete(const std::vector<Message>& messages) override {
    std::string text = IsTaskConversation(messages, options_.task)
                           ? Turn(AssistantTurns(messages))
                           : EchoFinish(messages);
    return {text, PromptTokens(messages), ApproxTokens(text)};
  }
  std::string Name() const override { return "replay/" + path_; }

 private:
  std::string Turn(int k) const {
    if (k < static_cast<int>(turns_.size())) return turns_[k];
    Thoughts t{"The recorded responses have run out.", "None.", "None.",
               {"Stop.", "Stop.", "Stop."}};
    return FinishResponse(t, "(replay ended after " +
                                 std::to_string(turns_.size()) + " responses)");
  }

  std::string path_;
  std::vector<std::string> turns_;
  ModelOptions options_;
};

}  // namespace

std::vector<std::string> ParseReplay(const std::string& text,
                                     const std::string& where) {
  std::vector<std::string> turns;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    turns.push_back(ParseLine(line, where, number));
  }
  if (turns.empty()) throw InputError(where + ": no responses in the file");
  return turns;
}

std::unique_ptr<Model> MakeReplayModel(const std::string& path,
                                       const ModelOptions& options) {
  if (path.empty()) throw InputError("replay model needs a file: replay/<file>");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError("replay file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return std::make_unique<ReplayModel>(path, ParseReplay(text.str(), path),
                                       options);
}

}  // namespace redline
