// The real ollama-js client against the daemon: tags, chat (streamed and not), generate, tools, format, errors, auth, cancel.
import { Ollama } from 'ollama';
import { assert, base, model, key, test, run, rawPost } from './harness.mjs';

const ollama = new Ollama({ host: base, headers: key ? { Authorization: `Bearer ${key}` } : {} });

test('list, ps, show and version describe the loaded model', async () => {
  const { models } = await ollama.list();
  assert.equal(models.length, 1);
  assert.equal(models[0].model, model);
  assert.equal((await ollama.ps()).models[0].model, model);
  assert.ok((await ollama.show({ model })).capabilities.includes('tools'));
  assert.match((await ollama.version()).version, /^\d+\.\d+\.\d+$/);
});

test('chat without streaming', async () => {
  const r = await ollama.chat({ model, messages: [{ role: 'user', content: 'Say hello' }], stream: false });
  assert.equal(r.message.content, 'Hello from the Pi!');
  assert.equal(r.done, true);
  assert.equal(r.done_reason, 'stop');
  assert.ok(r.eval_count > 0 && r.prompt_eval_count > 0 && r.total_duration > 0);
});

test('chat streamed, with options', async () => {
  const stream = await ollama.chat({
    model, messages: [{ role: 'user', content: 'Say hello' }], stream: true, keep_alive: -1,
    options: { temperature: 0.2, top_p: 0.9, top_k: 20, min_p: 0.05, repeat_penalty: 1.1, repeat_last_n: 32, seed: 7, num_ctx: 8192, num_predict: 64, stop: ['zzz'] },
  });
  let text = '', last;
  for await (const part of stream) { text += part.message.content; last = part; }
  assert.equal(text, 'Hello from the Pi!');
  assert.equal(last.done, true);
});

test('generate, streamed and not', async () => {
  const r = await ollama.generate({ model, prompt: 'Once upon a time', stream: false, options: { num_predict: 4 } });
  assert.equal(r.done, true);
  assert.equal(r.eval_count, 4);
  assert.equal(r.done_reason, 'length');
  let pieces = 0;
  for await (const part of await ollama.generate({ model, prompt: 'Once upon a time', stream: true, options: { num_predict: 4 } })) pieces++;
  assert.ok(pieces >= 2);
});

test('a scripted tool call arrives with object arguments', async () => {
  const r = await ollama.chat({ model, messages: [{ role: 'user', content: 'Turn on the kitchen light' }], tools: [turnOn], stream: false });
  assert.equal(r.message.tool_calls.length, 1);
  assert.equal(r.message.tool_calls[0].function.name, 'HassTurnOn');
  assert.deepEqual(r.message.tool_calls[0].function.arguments, { name: 'kitchen light', domain: ['light'] });
});

test('format (a JSON schema) is accepted', async () => {
  const r = await ollama.chat({ model, messages: [{ role: 'user', content: 'Give JSON' }], stream: false,
    format: { type: 'object', properties: { on: { type: 'boolean' } }, required: ['on'] } });
  assert.deepEqual(JSON.parse(r.message.content), { on: true });
  const j = await ollama.chat({ model, messages: [{ role: 'user', content: 'Give JSON' }], stream: false, format: 'json' });
  assert.deepEqual(JSON.parse(j.message.content), { on: true });
});

test('an unknown model is a 404 ResponseError', async () => {
  await assert.rejects(ollama.chat({ model: 'llama3.2:3b', messages: [{ role: 'user', content: 'x' }] }),
    e => e.status_code === 404 && e.error === "model 'llama3.2:3b' not found");
  // Another model is a real pull; the tests' daemon points pulls at a closed local port, so it fails as ollama fails.
  await assert.rejects(ollama.pull({ model: 'llama3.2:3b', stream: false }), e => e.status_code === 500);
  assert.equal((await ollama.pull({ model, stream: false })).status, 'success');
});

test('bad JSON and wrong types are 400 with the field named', async () => {
  const auth = key ? { Authorization: `Bearer ${key}` } : {};
  let r = await rawPost('/api/chat', '{"model":', auth);
  assert.equal(r.status, 400);
  assert.match(r.json.error, /invalid JSON/);
  r = await rawPost('/api/chat', JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }], options: { num_predict: 'lots' } }), auth);
  assert.equal(r.status, 400);
  assert.match(r.json.error, /options\.num_predict/);
});

test('a body over the limit is 413', async () => {
  const auth = key ? { Authorization: `Bearer ${key}` } : {};
  const r = await rawPost('/api/generate', JSON.stringify({ model, prompt: 'a'.repeat(200_000) }), auth);
  assert.equal(r.status, 413);
  assert.match(r.json.error, /http_max_body_bytes/);
});

test('aborting a stream cancels the answer, and the next one comes at once', async () => {
  const stream = await ollama.generate({ model, prompt: 'Once upon a time', stream: true, options: { num_predict: 400 } });
  for await (const part of stream) { stream.abort(); break; }
  const started = Date.now();
  const r = await ollama.generate({ model, prompt: 'Once', stream: false, options: { num_predict: 1 } });
  assert.equal(r.done, true);
  assert.ok(Date.now() - started < 5000, `the next answer took ${Date.now() - started} ms`);
});

const turnOn = {
  type: 'function',
  function: {
    name: 'HassTurnOn', description: 'Turns on/opens/presses a device or entity',
    parameters: { type: 'object', properties: { name: { type: 'string' }, area: { type: 'string' }, domain: { type: 'array', items: { type: 'string' } } } },
  },
};

await run();
