/**
 * A small parser for the Prometheus text exposition format (0.0.4): enough to read back what the
 * model server exports. Sample lines are `name{label="value",...} value [timestamp]`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family -> TYPE (counter, histogram, ...). */
  types: Map<string, string>;
  help: Map<string, string>;
}

export function parsePrometheusText(text: string): Exposition {
  const exposition: Exposition = { samples: [], types: new Map(), help: new Map() };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (match) (match[1] === 'TYPE' ? exposition.types : exposition.help).set(match[2]!, match[3]!);
      return;
    }
    exposition.samples.push(parseSample(line, index + 1));
  });
  return exposition;
}

function parseSample(line: string, lineNumber: number): Sample {
  const fail = (why: string): never => {
    throw new Error(`line ${lineNumber}: ${why}: ${line}`);
  };
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? fail('no metric name');
  let position = name.length;
  const labels: Record<string, string> = {};
  if (line[position] === '{') {
    position++;
    while (line[position] !== '}') {
      const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(position))?.[0] ?? fail('bad label name');
      position += labelName.length;
      if (line.slice(position, position + 2) !== '="') fail(`expected =" after ${labelName}`);
      position += 2;
      let value = '';
      for (;;) {
        const char = line[position] ?? fail('unterminated label value');
        position++;
        if (char === '"') break;
        if (char === '\\') {
          const escaped = line[position] ?? fail('dangling escape');
          position++;
          value += escaped === 'n' ? '\n' : escaped;
        } else {
          value += char;
        }
      }
      if (labelName in labels) fail(`duplicate label ${labelName}`);
      labels[labelName] = value;
      if (line[position] === ',') position++;
      else if (line[position] !== '}') fail('expected , or }');
    }
    position++;
  }
  const [valueText] = line.slice(position).trim().split(/\s+/);
  const value = parseSampleValue(valueText ?? '') ?? fail('bad value');
  return { name, labels, value };
}

function parseSampleValue(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : undefined;
}

/** Samples named `name` whose labels include every pair in `match`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  match: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

/** The single sample's value, or 0 when the series does not exist (yet). */
export function valueOf(exposition: Exposition, name: string, match: Record<string, string> = {}): number {
  const found = samplesOf(exposition, name, match);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`);
  return found[0]?.value ?? 0;
}
