import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { Redactor, basic, bearer, resolveHeaders } from '../../../src/metrics/backend/secrets.js';

let baseDir = '';
beforeAll(() => {
  baseDir = mkdtempSync(path.join(tmpdir(), 'canary-secrets-'));
  writeFileSync(path.join(baseDir, 'token'), 'file-token-123\n');
  writeFileSync(path.join(baseDir, 'crlf'), 'crlf-token\r\n');
  writeFileSync(path.join(baseDir, 'two-lines'), 'a\nb\n');
  writeFileSync(path.join(baseDir, 'empty'), '\n');
});
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

const env = { PROM_TOKEN: 'env-token-456', EMPTY: '', BROKEN: 'x\r\ny' };
const context = () => ({ env, baseDir });

async function errorOf(promise: Promise<unknown>): Promise<TaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TaskError)) throw new Error(`expected a TaskError, got ${String(error)}`);
  return error;
}

describe('resolveHeaders', () => {
  it('reads env vars and files (relative to baseDir, final newline dropped) and keeps literals', async () => {
    const resolved = await resolveHeaders(
      {
        Authorization: { env: 'PROM_TOKEN', prefix: 'Bearer ' },
        'X-Api-Key': { file: 'token' },
        'X-Other': { file: path.join(baseDir, 'crlf') },
        'X-Scope-OrgID': { value: 'tenant-1' },
      },
      context(),
    );
    expect(resolved).toEqual({
      headers: {
        Authorization: 'Bearer env-token-456',
        'X-Api-Key': 'file-token-123',
        'X-Other': 'crlf-token',
        'X-Scope-OrgID': 'tenant-1',
      },
      secrets: ['env-token-456', 'file-token-123', 'crlf-token'],
    });
  });

  it('names a missing variable, without printing any secret', async () => {
    const error = await errorOf(resolveHeaders({ Authorization: { env: 'NOPE_TOKEN' } }, context()));
    expect(error.kind).toBe('error');
    expect(error.message).toBe('header "Authorization": environment variable NOPE_TOKEN is not set');
    expect((await errorOf(resolveHeaders({ A: { env: 'EMPTY' } }, context()))).message).toBe(
      'header "A": environment variable EMPTY is empty',
    );
  });

  it('names an unreadable file', async () => {
    const error = await errorOf(resolveHeaders({ 'X-Api-Key': { file: 'missing.txt' } }, context()));
    expect(error.message).toBe(
      `header "X-Api-Key": cannot read secret file ${path.join(baseDir, 'missing.txt')} (ENOENT)`,
    );
    expect((await errorOf(resolveHeaders({ A: { file: 'empty' } }, context()))).message).toMatch(/is empty$/);
  });

  it('refuses values that would break the header, without showing them', async () => {
    const fromFile = await errorOf(resolveHeaders({ A: { file: 'two-lines' } }, context()));
    expect(fromFile.message).toMatch(/secret file .*two-lines contains a line break/);
    const fromEnv = await errorOf(resolveHeaders({ A: { env: 'BROKEN' } }, context()));
    expect(fromEnv.message).toBe(
      'header "A": environment variable BROKEN contains a line break or NUL, which a header cannot hold',
    );
    expect(fromEnv.message).not.toContain('x\r\ny');
  });
});

describe('auth helpers', () => {
  it('builds a bearer header', async () => {
    expect(await bearer({ env: 'PROM_TOKEN' }, context())).toEqual({
      headers: { Authorization: 'Bearer env-token-456' },
      secrets: ['env-token-456'],
    });
  });

  it('builds a basic header and treats the encoded pair as a secret', async () => {
    const resolved = await basic({ username: { value: 'admin' }, password: { file: 'token' } }, context());
    const encoded = Buffer.from('admin:file-token-123').toString('base64');
    expect(resolved).toEqual({
      headers: { Authorization: `Basic ${encoded}` },
      secrets: ['file-token-123', encoded],
    });
    const error = await errorOf(basic({ username: { value: 'a:b' }, password: { value: 'p' } }, context()));
    expect(error.message).toMatch(/must not contain ":"/);
  });
});

describe('Redactor', () => {
  const secret = 'p@ss word/+=';

  it('redacts a secret verbatim, base64-, URL- and JSON-encoded', () => {
    const redactor = new Redactor().add(secret);
    const text = [
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      encodeURIComponent(secret),
      new URLSearchParams({ q: secret }).toString(),
      JSON.stringify({ token: secret }),
    ].join(' | ');
    expect(redactor.redact(text)).toBe('*** | *** | *** | *** | q=*** | {"token":"***"}');
    expect(redactor.reveals(text)).toBe(true);
    expect(redactor.reveals('nothing here')).toBe(false);
  });

  it('redacts bearer tokens in reasons', async () => {
    const { secrets, headers } = await bearer({ env: 'PROM_TOKEN' }, context());
    const redactor = new Redactor().addAll(secrets);
    expect(redactor.redact(`HTTP 401: invalid ${headers.Authorization}`)).toBe(
      'HTTP 401: invalid Bearer ***',
    );
  });

  it('replaces longer secrets first, so no tail is left', () => {
    const redactor = new Redactor().add('abc').add('abcdef');
    expect(redactor.redact('xabcdefx abc')).toBe('x***x ***');
  });

  it('ignores blank secrets', () => {
    expect(new Redactor().add('').add('  ').redact('a b')).toBe('a b');
  });

  it('redacts sensitive headers and any header holding a secret', () => {
    const redactor = new Redactor().add('env-token-456');
    expect(
      redactor.redactHeaders({
        Authorization: 'Bearer whatever',
        'proxy-authorization': 'Basic x',
        Cookie: 'session=1',
        'X-API-KEY': 'k',
        'X-Auth-Token': 't',
        'X-Custom': 'prefix-env-token-456',
        'X-Scope-OrgID': 'tenant-1',
        Accept: 'application/json',
      }),
    ).toEqual({
      Authorization: '***',
      'proxy-authorization': '***',
      Cookie: '***',
      'X-API-KEY': '***',
      'X-Auth-Token': '***',
      'X-Custom': '***',
      'X-Scope-OrgID': 'tenant-1',
      Accept: 'application/json',
    });
  });
});
