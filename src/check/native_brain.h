// Native mode's brain judgement: no broker stands between the agents and
// the model, so "its own LLM server" is established directly. The server a
// candidate agent talks to (seen as its open TCP connection, or else its
// --llm-port argument) must be a live process other than the original's, on
// a port of its own, running the same server program as the original's (by
// content), that answers /v1/chat/completions itself when probed directly
// and does not forward to the original.
#ifndef REDLINE_CHECK_NATIVE_BRAIN_H_
#define REDLINE_CHECK_NATIVE_BRAIN_H_

#include <string>

#include "check/brain.h"
#include "check/program_identity.h"

namespace redline {

/// The value of `--llm-port N` / `--llm-port=N` in a command line; 0 if none.
int LlmPortArgument(const std::string& cmdline);

class NativeBrain : public BrainJudge {
 public:
  const char* Mode() const override { return "native"; }
  void Judge(const ProbeContext& context, Probe* probe, Evidence* e) override;

 private:
  /// What the original server runs, read once while it lives.
  ProgramFingerprint server_program_;
  bool server_program_read_ = false;
};

}  // namespace redline

#endif  // REDLINE_CHECK_NATIVE_BRAIN_H_
