/**
 * The userinfo of a URL (`https://user:pass@host/`): a credential, whatever URL carries it. Matched
 * in free text too, as a URL appears in values, queries, messages and logs.
 */
const userinfo = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>`]+)@/gi;

export const REDACTED_USERINFO = '***';

/** `text` with the userinfo of every URL in it replaced by `***`. */
export function redactUrlUserinfo(text: string): string {
  return text.replace(userinfo, `$1${REDACTED_USERINFO}@`);
}

/** Whether `text` holds a URL with userinfo. */
export function hasUrlUserinfo(text: string): boolean {
  userinfo.lastIndex = 0;
  return userinfo.test(text);
}

/** Every string in `value` (a parsed experiment, a preview) with URL userinfo redacted. */
export function redactUrlUserinfoDeep<T>(value: T): T {
  if (typeof value === 'string') return redactUrlUserinfo(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactUrlUserinfoDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactUrlUserinfoDeep(item)]),
    ) as T;
  }
  return value;
}

/** Shorter path segments and query values are too common to redact without mangling messages. */
const MIN_SECRET_PART_LENGTH = 6;

/**
 * The parts of a secret URL a server may echo on their own: the whole URL, its path with its query,
 * the path, the query, each query value and each long path segment, and the userinfo. A webhook
 * URL's token usually sits in its path (Slack) or its query (`?key=`).
 */
export function secretUrlParts(text: string): string[] {
  const parts = [text];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return parts;
  }
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  parts.push(`${url.pathname}${url.search}`, url.search, url.search.slice(1));
  if (url.pathname.length >= MIN_SECRET_PART_LENGTH) parts.push(url.pathname);
  for (const segment of url.pathname.split('/'))
    if (segment.length >= MIN_SECRET_PART_LENGTH) parts.push(segment, decode(segment));
  for (const [, value] of url.searchParams) if (value.length >= MIN_SECRET_PART_LENGTH) parts.push(value);
  if (url.username) parts.push(decode(url.username));
  if (url.password) parts.push(decode(url.password), url.password);
  return parts.filter((part) => part.length > 1);
}

/** The userinfo parts of a URL that is not itself secret (user name and password only). */
export function urlUserinfoParts(text: string): string[] {
  try {
    const url = new URL(text);
    const parts: string[] = [];
    if (url.password) parts.push(url.password, decodeURIComponent(url.password));
    if (url.username && url.password) parts.push(`${url.username}:${url.password}`);
    return parts;
  } catch {
    return [];
  }
}

interface TaskTexts {
  message?: string;
  output?: string;
}

/** A loop record whose task messages and output (which may quote a URL) hold no URL userinfo. */
export function withoutUrlUserinfo<T extends { tasks: TaskTexts[] }>(record: T): T {
  if (!record.tasks.some((t) => t.message?.includes('@') || t.output?.includes('@'))) return record;
  return {
    ...record,
    tasks: record.tasks.map((task) => ({
      ...task,
      ...(task.message !== undefined ? { message: redactUrlUserinfo(task.message) } : {}),
      ...(task.output !== undefined ? { output: redactUrlUserinfo(task.output) } : {}),
    })),
  };
}
