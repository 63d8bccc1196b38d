import { escapeHtml } from './escape-html.js';

/** Markup already escaped; anything else interpolated into `markup` goes through escapeHtml. */
export class SafeHtml {
  constructor(readonly text: string) {}
}

export type Interpolation =
  SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

/**
 * Template tag: every interpolated value is escaped unless it is itself a SafeHtml fragment.
 * Deliberately not named `html`: Prettier would reformat the markup inside and change the output.
 */
export function markup(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += toHtml(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(text);
}

function toHtml(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

/** Fixed precision keeps the SVG byte-for-byte stable across runs and platforms. */
export function coord(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Series colours by version index (wrapping), shared by chart lines, bars and legend swatches. */
export const palette = ['#2f6fb0', '#e08214', '#1b9e77', '#7b52ab', '#17a2b8', '#a6761d'];

export function seriesClass(versionIndex: number): string {
  return `series-${versionIndex % palette.length}`;
}
