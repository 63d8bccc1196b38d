/**
 * What to look for when checking that a secret did not leak: every form it can take in an output
 * (verbatim, URL/form-encoded, JSON- and HTML-escaped, base64), and every 8-character window of
 * each, so that a secret cut short by an excerpt or split over a line is still found.
 */

const WINDOW = 8;

function htmlEscaped(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      htmlEscaped(secret),
      bytes.toString('base64'),
      bytes.toString('base64url'),
    ]),
  ];
}

export function leakProbes(secret: string): string[] {
  const probes = new Set<string>();
  for (const form of secretForms(secret)) {
    if (form.length <= WINDOW) probes.add(form);
    for (let i = 0; i + WINDOW <= form.length; i++) probes.add(form.slice(i, i + WINDOW));
  }
  return [...probes];
}

/** The first probe found in `text`, with some context, or undefined. */
export function findLeak(text: string, probes: readonly string[]): string | undefined {
  for (const probe of probes) {
    const at = text.indexOf(probe);
    if (at >= 0) return `${JSON.stringify(probe)} in ...${text.slice(Math.max(0, at - 60), at + 60)}...`;
  }
  return undefined;
}
