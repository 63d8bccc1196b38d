/** Axis ranges and tick values that read well: 0, 10, 20, 30 rather than 19.8, 23.5, 27.2. */
export interface Scale {
  min: number;
  max: number;
  ticks: number[];
}

/**
 * A range covering every value, widened to round tick steps (1, 2, 2.5 or 5 times a power of
 * ten). A flat series still gets a range to draw in.
 */
export function niceScale(values: readonly number[], tickCount = 4): Scale {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (!Number.isFinite(low) || !Number.isFinite(high)) return { min: 0, max: 1, ticks: [0, 1] };
  if (low === high) {
    const pad = Math.abs(low) * 0.1 || 1;
    // A flat count of 0 draws on 0..1: a non-negative metric never gets a negative axis.
    low = low >= 0 ? Math.max(0, low - pad) : low - pad;
    high += pad;
  }
  const step = niceStep((high - low) / tickCount);
  const min = Math.floor(low / step) * step;
  const max = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  // Rounding to the step's precision keeps 0.30000000000000004 out of the labels.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  for (let tick = min; tick <= max + step / 2; tick += step) ticks.push(Number(tick.toFixed(digits)));
  return { min: ticks[0] ?? min, max: ticks.at(-1) ?? max, ticks };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}
