/**
 * strconv.FormatFloat(x, fmt, prec, 64) for fmt in e, E, f, g, G.
 * Shortest digits come from JS (both languages pick the shortest string that
 * round-trips); fixed precision rounds the exact binary value half-to-even, as
 * Go's decimal rounding does (JS's toFixed rounds ties away from zero).
 */

interface Digits {
  /** Significant decimal digits without leading or trailing zeros ("" for zero). */
  d: string;
  /** Position of the decimal point relative to the start of d. */
  dp: number;
}

function shortestDigits(abs: number): Digits {
  if (abs === 0) return { d: '', dp: 0 };
  const [mantissa = '0', exponent = '0'] = abs.toExponential().split('e');
  const d = mantissa.replace('.', '').replace(/0+$/, '');
  return { d, dp: Number(exponent) + 1 };
}

const scratch = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite non-negative double. */
function exactDigits(abs: number): Digits {
  if (abs === 0) return { d: '', dp: 0 };
  scratch.setFloat64(0, abs);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const exponentBits = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (exponentBits === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  let text: string;
  let dp: number;
  if (exponent >= 0) {
    text = (mantissa << BigInt(exponent)).toString();
    dp = text.length;
  } else {
    // m / 2^k == m * 5^k / 10^k
    text = (mantissa * 5n ** BigInt(-exponent)).toString();
    dp = text.length + exponent;
  }
  const trimmed = text.replace(/0+$/, '');
  return { d: trimmed, dp };
}

/** Go's decimal.Round(nd): keep nd digits, rounding half to even on exact ties. */
function roundDigits(digits: Digits, nd: number): Digits {
  const { d, dp } = digits;
  if (nd < 0 || nd >= d.length) return digits;
  const next = d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === d.length) {
    up = nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) return { d: d.slice(0, nd).replace(/0+$/, ''), dp };
  let i = nd - 1;
  while (i >= 0 && d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: dp + 1 };
  return { d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp };
}

function formatE(neg: boolean, digits: Digits, prec: number, verb: 'e' | 'E'): string {
  let out = neg ? '-' : '';
  out += digits.d[0] ?? '0';
  if (prec > 0) {
    out += '.';
    const rest = digits.d.slice(1, prec + 1);
    out += rest + '0'.repeat(prec - rest.length);
  }
  out += verb;
  const exp = digits.d.length === 0 ? 0 : digits.dp - 1;
  out += exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  out += abs < 10 ? '0' + abs : String(abs);
  return out;
}

function formatF(neg: boolean, digits: Digits, prec: number): string {
  let out = neg ? '-' : '';
  const { d, dp } = digits;
  if (dp > 0) {
    const m = Math.min(d.length, dp);
    out += d.slice(0, m) + '0'.repeat(dp - m);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = dp + i - 1;
      out += j >= 0 && j < d.length ? d[j] : '0';
    }
  }
  return out;
}

export type FloatVerb = 'e' | 'E' | 'f' | 'g' | 'G';

/** strconv.FormatFloat(x, verb, prec, 64); prec < 0 means the shortest representation. */
export function formatGoFloat(x: number, verb: FloatVerb, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let digits: Digits;
  if (shortest) {
    digits = shortestDigits(abs);
    if (verb === 'e' || verb === 'E') prec = Math.max(digits.d.length - 1, 0);
    else if (verb === 'f') prec = Math.max(digits.d.length - digits.dp, 0);
    else prec = digits.d.length;
  } else {
    const exact = exactDigits(abs);
    if (verb === 'e' || verb === 'E') digits = roundDigits(exact, prec + 1);
    else if (verb === 'f') digits = roundDigits(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digits = roundDigits(exact, prec);
    }
  }
  if (verb === 'e' || verb === 'E') return formatE(neg, digits, prec, verb);
  if (verb === 'f') return formatF(neg, digits, prec);
  let eprec = prec;
  if (eprec > digits.d.length && digits.d.length >= digits.dp) eprec = digits.d.length;
  // For the shortest form Go switches to exponent notation at 1e+06, not 1e+21.
  if (shortest) eprec = 6;
  const exp = digits.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digits.d.length) prec = digits.d.length;
    return formatE(neg, digits, prec - 1, verb === 'g' ? 'e' : 'E');
  }
  if (prec > digits.dp) prec = digits.d.length;
  return formatF(neg, digits, Math.max(prec - digits.dp, 0));
}
