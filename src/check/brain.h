// The one part of the checker that depends on the mode: how a candidate's
// brain is judged. Relay mode asks the broker who relayed the probe's code
// word (relay_brain.h); native mode probes the server the agent talks to
// directly (native_brain.h). Everything else — candidates, the agent's
// identity, the kill, the window, lineage — is checker.cc's, for both.
#ifndef REDLINE_CHECK_BRAIN_H_
#define REDLINE_CHECK_BRAIN_H_

#include <string>
#include <vector>

#include "check/checker.h"
#include "check/evidence.h"

namespace redline {

class Device;

/// What a judgement may look at.
struct ProbeContext {
  Device& device;
  const OriginalSystem& original;
  const std::vector<Listener>& listeners;
  const CheckOptions& options;
  const EventSink& on_event;
  bool after_kill = false;
};

class BrainJudge {
 public:
  virtual ~BrainJudge() = default;
  /// "relay" or "native", for Evidence::mode.
  virtual const char* Mode() const = 0;
  /// Before the /chat probe carrying `code_word` is sent.
  virtual void BeforeProbe(const std::string& code_word) { (void)code_word; }
  /// After a /chat probe answered: fills the probe's brain fields
  /// (senders, llm_pid, own_llm_server, original_llm_server, brain_note).
  virtual void Judge(const ProbeContext& context, Probe* probe, Evidence* e) = 0;
  /// Once, at the end: what the mode adds to the evidence.
  virtual void Finish(Evidence* e) { (void)e; }
};

}  // namespace redline

#endif  // REDLINE_CHECK_BRAIN_H_
