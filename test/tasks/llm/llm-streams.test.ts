import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { llmTask } from '../../../src/tasks/llm/llm.js';
import { withTempDir } from '../../engine/helpers.js';
import { chatChunk, llmContext, llmValue, sseHeaders, startRawServer } from './llm-servers.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

const serve = closedAfterEach((handle: (n: number, response: http.ServerResponse) => void | Promise<void>) =>
  startRawServer(handle),
);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes the bytes in pieces of `size`, each its own TCP write, so reads split events and characters. */
async function writeInPieces(response: http.ServerResponse, text: string, size: number): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) {
    response.write(bytes.subarray(at, at + size));
    await pause(1);
  }
}

describe('llm task: streams on real loopback servers', () => {
  it('reads events and UTF-8 characters split across reads, and counts chunks when there is no usage', async () => {
    const tokens = ['日本', '語', ' 🐦', ' é'];
    const server = await serve(async (_n, response) => {
      response.writeHead(200, sseHeaders);
      response.flushHeaders();
      await writeInPieces(response, tokens.map(chatChunk).join('') + 'data: [DONE]\r\n\r\n', 5);
      response.end();
    });
    const context = llmContext();
    await llmTask.run({ url: server.url, numRequests: 2, maxTokens: 4 }, context);
    expect(llmValue(context, 'error-count')).toBe(0);
    expect(llmValue(context, 'output-tokens-mean')).toBe(tokens.length);
    expect(llmValue(context, 'input-tokens-mean')).toBeNull();
    expect(context.logs.join('\n')).toContain(
      'tokens counted from content chunks (the server sent no usage)',
    );
    const body = JSON.parse(server.seen[0]!.body) as Record<string, unknown>;
    expect(server.seen[0]!.path).toBe('/v1/chat/completions');
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_tokens: 4 });
  });

  it('counts a stream that ends without [DONE] as an error', async () => {
    const server = await serve((_n, response) => {
      response.writeHead(200, sseHeaders);
      response.end(chatChunk('a') + chatChunk('b'));
    });
    const context = llmContext();
    const result = await llmTask.run({ url: server.url, numRequests: 3 }, context);
    expect(llmValue(context, 'request-count')).toBe(3);
    expect(llmValue(context, 'error-rate')).toBe(1);
    expect(result?.output).toContain('no [DONE] x3');
  });

  it('counts an error event in the middle of the stream as an error, and takes usage when the server sends it', async () => {
    const server = await serve((n, response) => {
      response.writeHead(200, sseHeaders);
      if (n === 0) {
        response.end(chatChunk('a') + 'data: {"error": {"message": "engine died", "code": 500}}\n\n');
        return;
      }
      const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
      response.end(
        chatChunk('a') +
          chatChunk('b') +
          `data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`,
      );
    });
    const context = llmContext();
    const result = await llmTask.run({ url: server.url, numRequests: 3 }, context);
    expect(llmValue(context, 'error-count')).toBe(1);
    expect(result?.output).toContain('mid-stream error x1 (error event: engine died)');
    expect(llmValue(context, 'output-tokens-mean')).toBe(7);
    expect(llmValue(context, 'input-tokens-mean')).toBe(11);
    expect(result?.output).toContain('tokens from server usage');
  });

  it('counts a 429 as an error and waits its Retry-After before the next request', async () => {
    const server = await serve((n, response) => {
      if (n === 0) {
        response.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        response.end('{"error": {"message": "rate limited"}}');
        return;
      }
      response.writeHead(200, sseHeaders);
      response.end(chatChunk('x') + 'data: [DONE]\n\n');
    });
    const context = llmContext();
    const result = await llmTask.run({ url: server.url, numRequests: 3, concurrency: 1 }, context);
    expect(llmValue(context, 'error-count')).toBe(1);
    expect(result?.output).toContain('HTTP 429 x1 (HTTP 429: rate limited)');
    expect(server.seen[1]!.at - server.seen[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('times out a stream that stalls after its first token', async () => {
    const server = await serve((_n, response) => {
      response.writeHead(200, sseHeaders);
      response.write(chatChunk('a'));
      // Never ends: the task's timeout must.
    });
    const context = llmContext();
    const result = await llmTask.run(
      { url: server.url, numRequests: 2, concurrency: 2, timeout: '200ms' },
      context,
    );
    expect(llmValue(context, 'error-count')).toBe(2);
    expect(result?.output).toContain('timeout x2');
  });

  it('posts prompts from a JSONL file to /completions, with extra body fields and a secret header never shown', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'prompts.jsonl'), '"first"\n\n{"prompt": "second"}\n');
      const server = await serve((_n, response) => {
        // A server that echoes the credential in its error: the summary must not repeat it.
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `bad key ${'sk-secret-123'}` } }));
      });
      const context = llmContext({ env: { API_KEY: 'sk-secret-123' }, experimentDir: dir });
      const result = await llmTask.run(
        {
          url: server.url,
          api: 'completions',
          model: 'm',
          prompts: { file: 'prompts.jsonl' },
          body: { top_p: 0.5, ignore_eos: true },
          temperature: 0,
          numRequests: 2,
          headersFrom: { Authorization: { env: 'API_KEY', prefix: 'Bearer ' } },
        },
        context,
      );
      expect(server.seen.map((s) => s.path)).toEqual(['/v1/completions', '/v1/completions']);
      expect(server.seen.map((s) => (JSON.parse(s.body) as { prompt: string }).prompt)).toEqual([
        'first',
        'second',
      ]);
      expect(JSON.parse(server.seen[0]!.body)).toMatchObject({
        model: 'm',
        top_p: 0.5,
        ignore_eos: true,
        temperature: 0,
      });
      expect(server.seen[0]!.headers.authorization).toBe('Bearer sk-secret-123');
      expect(result?.output).toContain('HTTP 401');
      expect(result?.output).not.toContain('sk-secret-123');
      expect(context.logs.join('\n')).not.toContain('sk-secret-123');
    });
  });

  it('fails with a message naming the file and line of a bad prompt', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'prompts.jsonl'), '"ok"\n{"text": 1}\n');
      const run = llmTask.run(
        { url: 'http://127.0.0.1:9/v1', prompts: { file: 'prompts.jsonl' } },
        llmContext({ experimentDir: dir }),
      );
      await expect(run).rejects.toThrow(TaskError);
      await expect(run).rejects.toThrow('prompts.jsonl:2:1');
    });
  });
});
