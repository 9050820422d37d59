// The real openai client against /v1: models, completions streamed and not, tools with ids and string arguments, errors.
import OpenAI from 'openai';
import { assert, base, model, key, test, run } from './harness.mjs';

const client = new OpenAI({ baseURL: new URL('v1', base).href, apiKey: key ?? 'unused', maxRetries: 0, timeout: 15000 });

test('models lists the loaded model', async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map(m => m.id), [model]);
});

test('a completion with usage', async () => {
  const r = await client.chat.completions.create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }] });
  assert.equal(r.choices[0].message.content, 'Hello from the Pi!');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('a streamed completion ends with [DONE]', async () => {
  const stream = await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say hello' }] });
  let text = '', finish, usage;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) { text += c.delta.content ?? ''; finish = c.finish_reason ?? finish; }
  }
  assert.equal(text, 'Hello from the Pi!');
  assert.equal(finish, 'stop');
  assert.ok(usage.completion_tokens > 0);
});

test('max_tokens ends with length', async () => {
  const r = await client.chat.completions.create({ model, max_tokens: 3, messages: [{ role: 'user', content: 'Once upon a time' }] });
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 3);
});

test('tools: a call with an id and string arguments, then the result, then the answer', async () => {
  const messages = [{ role: 'user', content: 'Turn on the kitchen light' }];
  const first = await client.chat.completions.create({ model, messages, tools, tool_choice: 'auto' });
  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  const call = first.choices[0].message.tool_calls[0];
  assert.match(call.id, /^call_/);
  assert.equal(call.function.name, 'HassTurnOn');
  assert.deepEqual(JSON.parse(call.function.arguments), { name: 'kitchen light', domain: ['light'] });
  messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"success":true}' });
  const stream = await client.chat.completions.create({ model, messages, tools, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  assert.equal(text, 'The kitchen light is now on.');
});

test('tools streamed: the call arrives as a tool_calls delta', async () => {
  const stream = await client.chat.completions.create({ model, stream: true, tools, tool_choice: 'required', messages: [{ role: 'user', content: 'Turn on the kitchen light' }] });
  const calls = [];
  let finish, text = '';
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (!c) continue;
    text += c.delta.content ?? '';
    calls.push(...(c.delta.tool_calls ?? []));
    finish = c.finish_reason ?? finish;
  }
  assert.equal(text, '');
  assert.equal(finish, 'tool_calls');
  assert.equal(calls[0].function.name, 'HassTurnOn');
});

test('response_format json_schema is accepted', async () => {
  const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Give JSON' }],
    response_format: { type: 'json_schema', json_schema: { name: 'light', schema: { type: 'object', properties: { on: { type: 'boolean' } } } } } });
  assert.deepEqual(JSON.parse(r.choices[0].message.content), { on: true });
});

test('an unknown model is a 404 APIError', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    e => e instanceof OpenAI.APIError && e.status === 404 && e.code === 'model_not_found');
});

test('a client that stops reading does not stop the daemon', async () => {
  const controller = new AbortController();
  const stalled = await fetch(new URL('v1/chat/completions', base + '/'), {
    method: 'POST', signal: controller.signal,
    headers: { 'content-type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model, stream: true, max_tokens: 200, messages: [{ role: 'user', content: 'Once upon a time' }] }),
  });
  assert.equal(stalled.status, 200);
  // Never read the body; meanwhile the daemon answers others.
  const page = await client.models.list();
  assert.equal(page.data.length, 1);
  const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello' }] });
  assert.equal(r.choices[0].message.content, 'Hello from the Pi!');
  controller.abort();
});

const tools = [{
  type: 'function',
  function: {
    name: 'HassTurnOn', description: 'Turns on/opens/presses a device or entity',
    parameters: { type: 'object', properties: { name: { type: 'string' }, area: { type: 'string' }, domain: { type: 'array', items: { type: 'string' } } } },
  },
}];

await run();
