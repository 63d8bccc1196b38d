import { redactUrlUserinfo, secretUrlParts } from '../../util/url-secrets.js';
/**
 * Keeps secrets out of everything we print or record: reasons, logs, result files.
 */

export const REDACTED = '***';

/** Headers whose values are credentials whatever they contain. */
const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);
/** Custom credential headers (`x-auth-token`, `api-key`, `x-vault-token`) by their names. */
const SENSITIVE_HEADER_NAME = /auth|token|secret|api-?key|passw|session|credential/i;

export function isSensitiveHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_HEADERS.has(lower) || SENSITIVE_HEADER_NAME.test(lower);
}

export class Redactor {
  /** Every form of every secret, longest first so that no partial replacement leaves a tail. */
  private forms: string[] = [];
  private readonly secrets = new Set<string>();

  /** Registers a secret; blank strings are ignored (they would match everywhere). */
  add(secret: string): this {
    if (secret.trim() === '' || this.secrets.has(secret)) return this;
    this.secrets.add(secret);
    const forms = new Set(this.forms);
    for (const form of encodings(secret)) if (form !== '') forms.add(form);
    this.forms = [...forms].sort((a, b) => b.length - a.length);
    return this;
  }

  /** Registers several secrets at once. */
  addAll(secrets: Iterable<string>): this {
    for (const secret of secrets) this.add(secret);
    return this;
  }

  /** Registers a secret URL (urlFrom) and the parts of it a server may echo: path, query, userinfo. */
  addUrl(url: string): this {
    return this.addAll(secretUrlParts(url));
  }

  /** Registers every secret `other` knows. */
  merge(other: Redactor): this {
    return this.addAll(other.secrets);
  }

  /** `text` with every occurrence of every secret, in any registered form, replaced by `***`. */
  redact(text: string): string {
    // The userinfo of any URL is a credential, registered or not.
    let result = redactUrlUserinfo(text);
    for (const form of this.forms) result = result.split(form).join(REDACTED);
    return result;
  }

  /** A copy of `headers` fit to print: credential headers and values holding a secret become `***`. */
  redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      result[name] = isSensitiveHeader(name) || this.redact(value) !== value ? REDACTED : value;
    }
    return result;
  }

  /** Whether `text` contains any registered secret. */
  reveals(text: string): boolean {
    return this.forms.some((form) => text.includes(form));
  }
}

/** How a secret can show up: verbatim, base64 (Basic auth), URL- or form-encoded, JSON-escaped. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64');
  return [
    secret,
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
}
