// A user task plugin: records metrics that an earlier task (e.g. a `run` script) wrote to a JSON file.
// The file holds {"versions": [{"latency-mean": 12.5, ...}, ...]}, one map per version index;
// each value becomes <provider>/<metric> for that version. Plugins are plain ES modules.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export default {
  name: 'file-metrics',
  description: 'Record metrics from a JSON file written by an earlier task in this loop',
  inputSchema: {
    type: 'object',
    properties: {
      file: { type: 'string', minLength: 1, description: 'JSON file, relative to the loop work directory' },
      provider: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]+$',
        description: 'Provider prefix of the metric names',
      },
    },
    required: ['file', 'provider'],
    additionalProperties: false,
  },
  produces(input) {
    return [`${input.provider}/*`];
  },
  async run(input, context) {
    const file = path.resolve(context.workDir, input.file);
    let document;
    try {
      document = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read metrics from ${input.file}: ${error.message}`);
    }
    const versions = Array.isArray(document?.versions) ? document.versions : [];
    if (versions.length === 0) throw new Error(`${input.file} has no "versions" list`);
    versions.forEach((metrics, version) => {
      for (const [name, value] of Object.entries(metrics ?? {})) {
        context.metrics.record(version, `${input.provider}/${name}`, value, {
          info: name.startsWith('latency') ? { units: 'ms', type: 'gauge' } : { type: 'counter' },
        });
      }
    });
  },
};
