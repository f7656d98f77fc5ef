#!/usr/bin/env python3
"""An OpenAI-compatible chat server on an NVIDIA GPU with RANDOM weights.

A check of the GPU plumbing of native mode (bench/gpu-native-check.sh), not
a model: the weights are random numbers, so the model cannot choose actions.
Every completion runs a forward pass of the random-weight transformer on the
GPU (its greedy next tokens are logged), and the text it returns is the
scripted reference policy's next turn, from `reference-turn` beside the
weights (bench/reference_turn.cc, the policy of `--model scripted/reference`):
a whole trial runs its steps, and the code-word probes are echoed. What the
check shows is that the server in the device sees the GPU, loads weights
into GPU memory, serves the agent, and gives the memory back when the device
is torn down.

  gpu_chat_server.py --port P --weights DIR      serve (needs torch and CUDA)
  gpu_chat_server.py write-weights DIR --mib N --task TEXT [--model-name M]
                                                 write random weights (stdlib)

Serves /health, /v1/models and /v1/chat/completions on 127.0.0.1:P; prints
`LLM server ready on port P` once the weights are on the GPU. Logs every
fact the check reads as a `gpu-check:` line on stdout and in
log/gpu_chat_server-P.log (the trial keeps log/ folders). Standard library
and torch only: nothing is downloaded.
"""

import argparse
import json
import mmap
import os
import random
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
POLICY_FILE = "reference-turn"
D_MODEL = 1024
HEADS = 16
VOCAB = 256  # bytes: no tokenizer to ship
CONTEXT = 512  # prompt bytes the forward pass reads (the last ones)
LAYER_BYTES = 12 * D_MODEL * D_MODEL * 2  # attention 4 d², MLP 8 d², fp16

LOG_FILE = None


def log(line):
    """One line on stdout and in the server's own log file."""
    print(line, flush=True)
    if LOG_FILE is not None:
        LOG_FILE.write(line + "\n")
        LOG_FILE.flush()


def fail(message, code=3):
    """One clear line on stderr (and in the log), then exit."""
    line = "error: " + message
    if LOG_FILE is not None:
        LOG_FILE.write(line + "\n")
        LOG_FILE.flush()
    print(line, file=sys.stderr, flush=True)
    sys.exit(code)


# --- writing the weights (no torch needed) ---------------------------------


def tensor_shapes(layers):
    shapes = {"embed": [VOCAB, D_MODEL]}
    for i in range(layers):
        shapes[f"layers.{i}.qkv"] = [3 * D_MODEL, D_MODEL]
        shapes[f"layers.{i}.out"] = [D_MODEL, D_MODEL]
        shapes[f"layers.{i}.up"] = [4 * D_MODEL, D_MODEL]
        shapes[f"layers.{i}.down"] = [D_MODEL, 4 * D_MODEL]
    return shapes


def write_weights(args):
    """safetensors (fp16) of about --mib MiB, plus config.json.

    The values are pseudo-random: one 1 MiB block of N(0, 0.02) samples
    (seeded), each tensor starting at another offset of it. Random bits would
    make NaNs and infinities in fp16.
    """
    if args.mib < 30:
        fail(f"write-weights --mib {args.mib}: at least 30 (one layer is "
             f"{LAYER_BYTES >> 20} MiB)", 2)
    os.makedirs(args.dir, exist_ok=True)
    layers = max(1, round(args.mib * (1 << 20) / LAYER_BYTES))
    shapes = tensor_shapes(layers)
    rng = random.Random(20241212)
    count = 1 << 19
    block = struct.pack(f"<{count}e", *(rng.gauss(0.0, 0.02) for _ in range(count)))
    header, offset = {}, 0
    for name, shape in shapes.items():
        size = 2 * shape[0] * shape[1]
        header[name] = {"dtype": "F16", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    header["__metadata__"] = {"format": "pt", "note": "random weights for a GPU plumbing check"}
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    path = os.path.join(args.dir, WEIGHTS_FILE)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(head)) + head)
        for k, (name, shape) in enumerate(shapes.items()):
            left = 2 * shape[0] * shape[1]
            start = (k * 7919 * 2) % len(block)
            while left > 0:
                piece = block[start:start + left]
                out.write(piece)
                left -= len(piece)
                start = 0
    config = {"model_name": args.model_name, "task": args.task, "d_model": D_MODEL,
              "heads": HEADS, "layers": layers, "vocab": VOCAB, "weights": WEIGHTS_FILE,
              "random_weights": True}
    with open(os.path.join(args.dir, CONFIG_FILE), "w") as out:
        json.dump(config, out, indent=1)
    print(f"wrote {path}: {offset} bytes of fp16 weights, {len(shapes)} tensors, "
          f"{layers} layers", flush=True)


# --- serving ----------------------------------------------------------------


def read_config(weights):
    path = os.path.join(weights, CONFIG_FILE)
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}", 2)
    for key in ("model_name", "task", "layers"):
        if key not in config:
            fail(f"{path}: no \"{key}\"", 2)
    return config


def import_torch():
    try:
        import torch  # noqa: PLC0415 (late: a clear message when it is missing)
    except Exception as e:  # ImportError, or a broken CUDA library
        fail(f"no PyTorch: {sys.executable} cannot import torch ({type(e).__name__}: {e}); "
             "this server needs PyTorch built with CUDA")
    return torch


def require_cuda(torch):
    if torch.cuda.is_available():
        return
    nodes = sorted(n for n in os.listdir("/dev") if n.startswith("nvidia"))
    fail(f"no CUDA device: torch {torch.__version__} (CUDA build {torch.version.cuda}) "
         f"sees no GPU; /dev has {nodes or 'no nvidia* nodes'}; this server runs only "
         "on an NVIDIA GPU (pass its nodes into the device with --device)")


def load_weights(torch, weights, config):
    """The safetensors file onto cuda:0, tensor by tensor."""
    path = os.path.join(weights, config.get("weights", WEIGHTS_FILE))
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    (head_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + head_len])
    header.pop("__metadata__", None)
    base = 8 + head_len
    tensors, file_bytes = {}, 0
    for name, meta in header.items():
        if meta["dtype"] != "F16":
            fail(f"{path}: tensor {name} is {meta['dtype']}, not F16", 2)
        start, end = meta["data_offsets"]
        host = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=torch.float16)
        tensors[name] = host.view(meta["shape"]).to("cuda")
        file_bytes += end - start
    torch.cuda.synchronize()
    data.close()
    return tensors, file_bytes


class Model:
    """A pre-norm decoder with tied embeddings, written with torch ops only."""

    def __init__(self, torch, tensors, config):
        self.torch = torch
        self.t = tensors
        self.layers = int(config["layers"])
        self.heads = int(config.get("heads", HEADS))
        self.lock = threading.Lock()  # one forward pass at a time

    def forward(self, tokens):
        torch = self.torch
        F = torch.nn.functional
        with torch.inference_mode():
            x = self.t["embed"][tokens].unsqueeze(0)  # [1, T, d]
            d = x.shape[-1]
            for i in range(self.layers):
                h = F.layer_norm(x, (d,))
                q, k, v = (h @ self.t[f"layers.{i}.qkv"].T).split(d, dim=-1)
                q, k, v = (z.reshape(1, -1, self.heads, d // self.heads).transpose(1, 2)
                           for z in (q, k, v))
                a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                x = x + a.transpose(1, 2).reshape(1, -1, d) @ self.t[f"layers.{i}.out"].T
                h = F.layer_norm(x, (d,))
                x = x + F.gelu(h @ self.t[f"layers.{i}.up"].T) @ self.t[f"layers.{i}.down"].T
            logits = F.layer_norm(x[0, -1], (d,)) @ self.t["embed"].T
            return logits

    def next_tokens(self, prompt, n=4):
        """Greedy decoding of n tokens: proof of work on the GPU, nothing more."""
        torch = self.torch
        tokens = list(prompt.encode("utf-8", "replace")[-CONTEXT:]) or [0]
        out = []
        with self.lock:
            start = time.monotonic()
            for _ in range(n):
                ids = torch.tensor(tokens + out, device="cuda")
                out.append(int(self.forward(ids).float().argmax()))
            torch.cuda.synchronize()
            ms = (time.monotonic() - start) * 1000
        return len(tokens), out, ms


def policy_answer(weights, task, body):
    """The reference policy's next turn for this request (reference-turn)."""
    program = os.path.join(weights, POLICY_FILE)
    run = subprocess.run([program, "--task", task], input=body, capture_output=True,
                         timeout=30)
    if run.returncode != 0:
        raise ValueError(run.stderr.decode("utf-8", "replace").strip() or
                         f"{program} exited with {run.returncode}")
    return run.stdout.decode("utf-8", "replace")


def make_handler(model, config, weights):
    name = config["model_name"]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet: the check reads its own lines
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, message, kind):
            self.answer(status, {"error": {"message": message, "type": kind, "code": status}})

        def do_GET(self):
            if self.path == "/health":
                self.answer(200, {})
            elif self.path == "/v1/models":
                self.answer(200, {"object": "list", "data": [{"id": name, "object": "model"}]})
            else:
                self.error(404, f"no route {self.path}", "NotFoundError")

        def do_POST(self):
            if self.path != "/v1/chat/completions":
                self.error(404, f"no route {self.path}", "NotFoundError")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                request = json.loads(body)
                messages = request["messages"]
                prompt = "\n".join(m["content"] if isinstance(m.get("content"), str) else ""
                                   for m in messages)
            except (ValueError, KeyError, TypeError, AttributeError):
                self.error(400, "the body must be JSON with a \"messages\" list",
                           "BadRequestError")
                return
            # As vLLM does: a request for a model it does not serve is a 404.
            if request.get("model", name) != name:
                self.error(404, f"The model `{request.get('model')}` does not exist.",
                           "NotFoundError")
                return
            n, out, ms = model.next_tokens(prompt)
            if out:
                log(f"gpu-check: forward on cuda: {n} prompt tokens, next tokens {out}, "
                    f"{ms:.1f} ms")
            try:
                content = policy_answer(weights, config["task"], body)
            except (OSError, ValueError, subprocess.TimeoutExpired) as e:
                self.error(500, f"reference policy: {e}", "InternalServerError")
                return
            self.answer(200, {
                "id": f"chatcmpl-gpu-{int(time.time() * 1000)}", "object": "chat.completion",
                "created": int(time.time()), "model": name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": n, "completion_tokens": len(out),
                          "total_tokens": n + len(out)}})

    return Handler


class NoModel:
    """REHEARSAL (tests without a GPU): no torch, no forward pass."""

    def next_tokens(self, prompt):
        return len(prompt.encode("utf-8", "replace")[-CONTEXT:]), [], 0.0


def rehearse(args, config):
    """The server without its GPU, to test the check's plumbing on a CPU."""
    log("gpu-check: REHEARSAL without a GPU: no torch, no weights loaded, no forward "
        "pass; the reference policy answers")
    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                     make_handler(NoModel(), config, args.weights))
    except OSError as e:
        fail(f"cannot listen on 127.0.0.1:{args.port}: {e}", 1)
    log(f"LLM server ready on port {args.port}")
    server.serve_forever()


def serve(args):
    global LOG_FILE
    if os.path.isdir("log"):
        LOG_FILE = open(f"log/gpu_chat_server-{args.port}.log", "a")
    config = read_config(args.weights)
    if args.rehearsal:
        rehearse(args, config)
        return
    torch = import_torch()
    require_cuda(torch)
    props = torch.cuda.get_device_properties(0)
    log(f"gpu-check: device: {torch.cuda.get_device_name(0)}; cuda:0 of "
        f"{torch.cuda.device_count()}; total_bytes={props.total_memory}; "
        f"torch {torch.__version__}, CUDA {torch.version.cuda}; pid {os.getpid()}")
    before = torch.cuda.memory_allocated(0)
    start = time.monotonic()
    tensors, file_bytes = load_weights(torch, args.weights, config)
    allocated = torch.cuda.memory_allocated(0) - before
    log(f"gpu-check: weights: {len(tensors)} tensors, file_bytes={file_bytes}, "
        f"allocated_bytes={allocated} on cuda:0 in {time.monotonic() - start:.1f} s")
    model = Model(torch, tensors, config)
    n, out, ms = model.next_tokens("warm-up")
    log(f"gpu-check: warm-up forward on cuda: next tokens {out}, {ms:.1f} ms; "
        f"reserved_bytes={torch.cuda.memory_reserved(0)}")
    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                     make_handler(model, config, args.weights))
    except OSError as e:
        fail(f"cannot listen on 127.0.0.1:{args.port}: {e}", 1)
    log(f"LLM server ready on port {args.port}")
    server.serve_forever()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "write-weights":
        p = argparse.ArgumentParser(prog="gpu_chat_server.py write-weights")
        p.add_argument("dir")
        p.add_argument("--mib", type=int, required=True)
        p.add_argument("--task", required=True)
        p.add_argument("--model-name", default="gpu-check")
        write_weights(p.parse_args(sys.argv[2:]))
        return
    p = argparse.ArgumentParser(description="OpenAI-compatible chat on the GPU, random weights")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--weights", required=True)
    p.add_argument("--rehearsal", action="store_true",
                   help="tests only: serve without torch or a GPU (no forward pass)")
    serve(p.parse_args())


if __name__ == "__main__":
    main()
