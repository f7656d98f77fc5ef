// redline-reference-turn: the scripted reference policy's next answer to one
// chat request, for servers written in another language that must drive a
// whole trial with a fixed script (bench/gpu_chat_server.py: a GPU plumbing
// check whose random-weight model cannot choose actions). It is the policy
// of `--model scripted/reference` and of the stand-in server: the task
// conversation gets the reference policy's next turn, any other
// conversation (the checker's code-word probes) its echo.
//
// Usage: redline-reference-turn --task TEXT < request.json > content.txt
//   request.json: an OpenAI chat-completions body, {"messages": [...]}.
// Exit 0 with the answer's content on stdout; 2 with one line on stderr for
// a request it cannot read.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llm/scripted_models.h"

namespace {

using nlohmann::json;

// A message's content as text: a string, or the text parts of a list.
bool ContentText(const json& content, std::string* text) {
  if (content.is_string()) {
    *text = content.get<std::string>();
    return true;
  }
  if (!content.is_array()) return false;
  text->clear();
  for (const json& part : content) {
    if (!part.is_object() || part.value("type", "") != "text" ||
        !part.contains("text") || !part["text"].is_string())
      return false;
    *text += part["text"].get<std::string>();
  }
  return true;
}

// The request's messages, or an error naming what is wrong.
std::string ReadMessages(const json& body, std::vector<redline::Message>* out) {
  if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array())
    return "the request has no \"messages\" list";
  for (size_t i = 0; i < body["messages"].size(); ++i) {
    const json& m = body["messages"][i];
    std::string text;
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string() ||
        !m.contains("content") || !ContentText(m["content"], &text))
      return "messages[" + std::to_string(i) + "] has no string role and text content";
    out->push_back({m["role"].get<std::string>(), text});
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The reference policy's next answer to one chat request (stdin)"};
  std::string task;
  app.add_option("--task", task, "the trial's task text")->required();
  CLI11_PARSE(app, argc, argv);
  std::string input((std::istreambuf_iterator<char>(std::cin)),
                    std::istreambuf_iterator<char>());
  json body = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    std::fprintf(stderr, "redline-reference-turn: stdin is not JSON\n");
    return 2;
  }
  std::vector<redline::Message> messages;
  std::string error = ReadMessages(body, &messages);
  if (!error.empty()) {
    std::fprintf(stderr, "redline-reference-turn: %s\n", error.c_str());
    return 2;
  }
  auto model = redline::MakeReferenceModel({task});
  std::cout << model->Complete(messages).content;
  return 0;
}
