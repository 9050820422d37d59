// A tiny sequential test runner: the C# test runs a script and checks its exit code; each case prints one line.
import assert from 'node:assert/strict';

export { assert };
export const base = process.env.EDGELLM_URL ?? assert.fail('EDGELLM_URL is not set');
export const model = process.env.EDGELLM_MODEL ?? 'stories';
export const key = process.env.EDGELLM_KEY || undefined;

const cases = [];
export function test(name, fn) { cases.push({ name, fn }); }

export async function run() {
  let failed = 0;
  for (const { name, fn } of cases) {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 15 s')), 15000).unref());
    try {
      await Promise.race([fn(), timeout]);
      console.log(`ok - ${name}`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${name}: ${e?.stack ?? e}`);
    }
  }
  console.log(`node client cases: ${cases.length - failed} ok, ${failed} not ok`);
  process.exit(failed === 0 ? 0 : 1);
}

/** POSTs raw bytes with fetch (for what a well-behaved client library would never send). */
export async function rawPost(path, body, headers = {}) {
  const response = await fetch(new URL(path, base), { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: response.status, json: await response.json() };
}
