/** Sprig's JSON functions and Iter8's toYaml. */
import { encodeGoJson, JsonEncodeError } from '../encode-json.js';
import { encodeGoYaml } from '../encode-yaml.js';
import { fn, GoFunctionError, type GoFunction } from '../go-function.js';

function marshal(value: unknown, pretty: boolean, escapeHtml = true): string {
  return encodeGoJson(value, pretty ? { escapeHtml, indent: '  ' } : { escapeHtml });
}

/** The non-must variants swallow marshalling errors and return "". */
function quietly(encode: () => string): string {
  try {
    return encode();
  } catch (error) {
    if (error instanceof JsonEncodeError) return '';
    throw error;
  }
}

function loudly(encode: () => string): string {
  try {
    return encode();
  } catch (error) {
    if (error instanceof JsonEncodeError) throw new GoFunctionError(error.message);
    throw error;
  }
}

/** Go's encoding/json wording for the two commonest syntax errors (JS words them differently). */
function describeJsonError(text: string, jsMessage: string): string {
  const at = /position (\d+)/.exec(jsMessage);
  const pos = at ? Number(at[1]) : /end of JSON/.test(jsMessage) ? text.length : 0;
  const ch = text.slice(pos).trimStart()[0];
  if (ch === undefined) return 'unexpected end of JSON input';
  return `invalid character '${ch}' looking for beginning of value`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GoFunctionError(describeJsonError(text, (error as Error).message));
  }
}

export const encodingFunctions: Record<string, GoFunction> = {
  toJson: fn(['any'], ([v]) => quietly(() => marshal(v, false))),
  mustToJson: fn(['any'], ([v]) => loudly(() => marshal(v, false))),
  toPrettyJson: fn(['any'], ([v]) => quietly(() => marshal(v, true))),
  mustToPrettyJson: fn(['any'], ([v]) => loudly(() => marshal(v, true))),
  // toRawJson panics on error in Sprig, so it fails like the must variant.
  toRawJson: fn(['any'], ([v]) => loudly(() => marshal(v, false, false))),
  mustToRawJson: fn(['any'], ([v]) => loudly(() => marshal(v, false, false))),
  fromJson: fn(['string'], ([s]) => {
    try {
      return parseJson(s as string);
    } catch {
      return null;
    }
  }),
  mustFromJson: fn(['string'], ([s]) => parseJson(s as string)),
  toYaml: fn(['any'], ([v]) => encodeGoYaml(v)),
};
