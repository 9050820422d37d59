// Home Assistant's Ollama conversation agent, replayed request by request (homeassistant/components/ollama):
// set-up lists the models, the 30 s poll asks tags and ps, then one Assist turn: a streamed chat with Home Assistant's
// intent tools, a tool call with object arguments, the tool result sent back, and the streamed final answer.
import { Ollama } from 'ollama';
import { assert, base, model, key, test, run } from './harness.mjs';

const ollama = new Ollama({ host: base, headers: key ? { Authorization: `Bearer ${key}` } : {} });

// Written from Home Assistant's intent docs: the schemas its LLM API exposes for the built-in intents.
const slot = { type: 'string' };
const targets = { name: slot, area: slot, floor: slot, domain: { type: 'array', items: { type: 'string' } }, device_class: { type: 'array', items: { type: 'string' } } };
const tools = [
  { type: 'function', function: { name: 'HassTurnOn', description: 'Turns on/opens/presses a device or entity', parameters: { type: 'object', properties: targets } } },
  { type: 'function', function: { name: 'HassTurnOff', description: 'Turns off/closes a device or entity', parameters: { type: 'object', properties: targets } } },
  { type: 'function', function: { name: 'HassLightSet', description: 'Sets the brightness percentage or color of a light', parameters: { type: 'object', properties: { ...targets, color: slot, temperature: { type: 'integer' }, brightness: { type: 'integer', minimum: 0, maximum: 100 } } } } },
];
const system = 'You are a voice assistant for Home Assistant.\nAnswer questions about the world truthfully.\nAnswer in plain text. Keep it simple and to the point.\n' +
  'Static Context: An overview of the areas and the devices in this smart home:\n- names: Kitchen Light\n  domain: light\n  state: \'off\'\n  areas: Kitchen\n';

test('Home Assistant: set-up, poll, and one turn with a tool call', async () => {
  // Set-up: the model must be listed, else Home Assistant would pull it.
  const { models } = await ollama.list();
  assert.ok(models.map(m => m.model).includes(model), `tags lists ${models.map(m => m.model)}`);
  await ollama.ps();

  const messages = [{ role: 'system', content: system }, { role: 'user', content: 'Turn on the kitchen light' }];
  const request = { model, messages, tools, stream: true, keep_alive: -1, options: { num_ctx: 8192 }, think: false };
  const calls = [];
  let text = '', done;
  for await (const chunk of await ollama.chat(request)) {
    text += chunk.message.content ?? '';
    for (const call of chunk.message.tool_calls ?? []) {
      // Home Assistant does tool_call.function.arguments.items(): it must be an object.
      assert.equal(typeof call.function.arguments, 'object');
      assert.ok(!Array.isArray(call.function.arguments));
      calls.push(call);
    }
    if (chunk.done) done = chunk;
  }
  assert.equal(text, '', 'no call text leaks into the answer');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].function.name, 'HassTurnOn');
  assert.deepEqual(Object.entries(calls[0].function.arguments), [['name', 'Kitchen Light'], ['domain', ['light']]]);
  assert.equal(done.done, true);

  messages.push({ role: 'assistant', content: '', tool_calls: calls });
  messages.push({ role: 'tool', tool_name: 'HassTurnOn', content: JSON.stringify({ speech: {}, response_type: 'action_done', data: { targets: [], success: [{ name: 'Kitchen Light', type: 'entity', id: 'light.kitchen' }], failed: [] } }) });
  let answer = '', pieces = 0, final;
  for await (const chunk of await ollama.chat({ ...request, messages })) {
    if (chunk.message.content) pieces++;
    answer += chunk.message.content ?? '';
    assert.equal(chunk.message.tool_calls, undefined);
    if (chunk.done) final = chunk;
  }
  assert.equal(answer, 'The kitchen light is now on.');
  assert.ok(pieces > 1, 'the answer is streamed');
  assert.equal(final.done_reason, 'stop');
});

if (key) {
  test('with an API key: / is open, the rest needs the bearer', async () => {
    assert.equal((await fetch(base)).status, 200);
    const anonymous = new Ollama({ host: base });
    await assert.rejects(anonymous.list(), e => e.status_code === 401);
    const wrong = new Ollama({ host: base, headers: { Authorization: 'Bearer wrong' } });
    await assert.rejects(wrong.list(), e => e.status_code === 401);
  });
}

await run();
