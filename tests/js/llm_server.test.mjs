// redline-llm-server is an OpenAI-compatible server: the official `openai`
// client (v4) must list its model, get completions with usage, stream them,
// and see its errors as APIError with the status.
//
// Usage: node llm_server.test.mjs --base-url http://127.0.0.1:PORT/v1
// (tests/llm_stack_main.cc starts the server behind a real broker and runs
// this). Exit 0 when every check passed, 1 otherwise, with one line each.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

function baseUrl() {
  const i = process.argv.indexOf('--base-url');
  if (i < 0 || !process.argv[i + 1]) {
    console.error('usage: node llm_server.test.mjs --base-url URL');
    process.exit(2);
  }
  return process.argv[i + 1];
}

const client = new OpenAI({ baseURL: baseUrl(), apiKey: 'unused-by-the-relay', maxRetries: 0,
                            timeout: 10_000 });
// The built-in models answer any conversation but the trial's task with a
// `finish` action repeating the user's message, so the text is known.
const greeting = 'Hello from the openai client test!';
const messages = [{ role: 'user', content: greeting }];
let modelId;
let plainText;

const checks = [
  ['models.list lists the served model', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    assert.equal(ids.length, 1, `ids: ${ids}`);
    assert.equal(page.data[0].object, 'model');
    modelId = ids[0];
    assert.equal(modelId, 'redline-relay-test');
  }],
  ['chat.completions.create returns the model\'s text with usage', async () => {
    const r = await client.chat.completions.create({ model: modelId, messages });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, modelId);
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].finish_reason, 'stop');
    plainText = r.choices[0].message.content;
    assert.ok(plainText.includes(greeting), `text: ${plainText}`);
    assert.ok(r.usage.prompt_tokens > 0, JSON.stringify(r.usage));
    assert.ok(r.usage.completion_tokens > 0, JSON.stringify(r.usage));
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  }],
  ['stream: true yields chunks that join to the same text and end properly', async () => {
    const stream = await client.chat.completions.create({ model: modelId, messages, stream: true });
    let text = '';
    let chunks = 0;
    let finish = null;
    for await (const chunk of stream) {
      chunks += 1;
      assert.equal(chunk.object, 'chat.completion.chunk');
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta?.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    assert.ok(chunks >= 2, `chunks: ${chunks}`);
    assert.equal(finish, 'stop');
    assert.equal(text, plainText);
  }],
  ['a bad request is an APIError with status 400', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: modelId, messages: 'not a list' }),
      (e) => {
        assert.ok(e instanceof OpenAI.APIError, `not an APIError: ${e}`);
        assert.ok(e instanceof OpenAI.BadRequestError, `${e.constructor.name}`);
        assert.equal(e.status, 400);
        assert.equal(e.type, 'invalid_request_error');
        assert.ok(e.message.length > 0);
        return true;
      });
  }],
  ['an unknown route is an APIError with status 404', async () => {
    await assert.rejects(client.embeddings.create({ model: modelId, input: 'x' }),
      (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
  }],
];

let failed = 0;
for (const [name, run] of checks) {
  try {
    await run();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}
console.log(failed ? `${failed} of ${checks.length} failed` : `all ${checks.length} passed`);
process.exit(failed ? 1 : 0);
