/**
 * Compact numbers for reports: at most 4 decimals, or 4 significant digits below 1 so small
 * latencies (0.0001234 s) keep their precision; exponent form only outside 1e-6..1e15.
 * Trailing zeros are dropped, so 21.30 prints as 21.3 and 25 as 25.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-6) return formatExponent(value);
  // Whole numbers (most limits and counts) print as they are; reports format one per SLO and value.
  if (Number.isInteger(value)) return String(value);
  const decimals = magnitude >= 1 ? 4 : 3 - Math.floor(Math.log10(magnitude));
  const text = trimZeros(value.toFixed(Math.min(decimals, 20)));
  // A value that rounds away entirely should not print as "-0".
  return text === '-0' ? '0' : text;
}

function formatExponent(value: number): string {
  const [mantissa = '', exponent = ''] = value.toPrecision(4).split('e');
  return `${trimZeros(mantissa)}e${exponent.replace(/^\+/, '')}`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
