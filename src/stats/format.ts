// Number formatting for rule texts: short, exact enough to recheck a decision by hand.

/** `digits` significant digits, without exponent notation for ordinary magnitudes. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Math.abs(x) >= 10 ** digits) return String(Math.round(x));
  return String(Number(x.toPrecision(digits)));
}

export function formatP(p: number): string {
  return p < 1e-4 ? 'p < 0.0001' : `p = ${formatNumber(p, 2)}`;
}

/** A significance level: small spent alphas stay readable (1.2e-5 rather than 0.000012). */
export function formatAlpha(alpha: number): string {
  return alpha !== 0 && alpha < 1e-3 ? alpha.toExponential(1) : formatNumber(alpha, 2);
}

/** A confidence level such as 0.95 as '95%', 0.99998 as '99.998%': enough decimals to show 1 - level. */
export function formatConfidence(confidence: number): string {
  const missing = (1 - confidence) * 100;
  if (missing <= 1e-10) return '>99.9999999999%';
  const decimals = Math.min(10, Math.max(0, Math.ceil(-Math.log10(missing)) + 1));
  return `${String(Number((confidence * 100).toFixed(decimals)))}%`;
}

/** A rate as a percentage, a difference of rates as percentage points. */
export function formatPercent(rate: number): string {
  return `${formatNumber(rate * 100)}%`;
}
export function formatPoints(difference: number): string {
  return `${difference > 0 ? '+' : ''}${formatNumber(difference * 100)} pp`;
}

export function withUnits(text: string, units: string | undefined): string {
  return units ? `${text} ${units}` : text;
}
