// redline-llm-server: the relay llm-server of the AI system under test
// (installed in the deployed system as bin/llm-server).
//
//   llm-server --weights DIR --broker SOCKET [--port 8760] [--host 0.0.0.0]
//              [--model-name NAME]
//
// Exit status: 0 after SIGTERM/SIGINT, 1 for bad weights or a busy port,
// 2 for bad flags.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "system/llm_server.h"

namespace {

// Time given to requests in flight after a stop signal before exiting anyway
// (a relayed generation can take minutes).
constexpr double kStopGraceSeconds = 5;

std::string BaseName(const char* path) {
  std::string name(path);
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string program = BaseName(argv[0]);
  redline::LlmServerOptions options;
  CLI::App app{"OpenAI-compatible LLM server", program};
  app.add_option("--port", options.port, "Port to listen on")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--host", options.host, "Address to listen on")
      ->capture_default_str();
  app.add_option("--weights", options.weights_dir,
                 "Model folder: config.json, weight shards and their index")
      ->required();
  app.add_option("--broker", options.broker_socket,
                 "Unix socket of the inference backend")
      ->required();
  app.add_option("--model-name", options.model_name,
                 "Model name to report (default: from config.json)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::string message = e.what();
    for (char& c : message)
      if (c == '\n') c = ' ';
    std::cerr << program << ": " << message << " (see --help)\n";
    return 2;
  }

  // Signals are taken by one thread with sigwait() rather than a handler, so
  // stopping can lock and wait like ordinary code. The mask is set before any
  // thread starts, so every thread inherits it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);

  redline::LlmServer server(options);
  std::atomic<bool> run_done{false};
  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (run_done) return;
    std::printf("[llm-server] received %s, shutting down\n",
                signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    if (!server.Stop(kStopGraceSeconds)) {
      std::printf("[llm-server] requests still in flight; exiting anyway\n");
      std::fflush(stdout);
      std::_Exit(0);
    }
  });
  int status = server.Run();
  run_done = true;
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  return status;
}
