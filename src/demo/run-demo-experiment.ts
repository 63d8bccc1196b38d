import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExitCodeValue } from '../exit-codes.js';
import { packageRoot } from '../version.js';
import { prepareExperiment } from '../cli/prepare-experiment.js';
import { runPrepared, type Output } from '../cli/run-experiment-command.js';
import { defaultResultsPath, readResults } from '../results/result-file.js';
import { renderReport } from '../report/render-report.js';
import { pruneArchives } from './prune-archives.js';

/**
 * Runs one of the package's experiments/demo*.yaml with `--set` values, fresh and asserting, then prints
 * the text report and writes the HTML one beside the result file. The servers are the caller's to start.
 */
export async function runDemoExperiment(
  experimentName: string,
  sets: string[],
  options: { quiet: boolean; results?: string; pruneArchives: boolean },
  output: Output,
): Promise<ExitCodeValue> {
  const file = path.join(packageRoot, 'experiments', experimentName);
  const ready = await prepareExperiment(
    file,
    { set: sets, 'set-string': [], values: [] },
    process.cwd(),
    output.warn,
  );
  const results = path.resolve(
    options.results ?? defaultResultsPath(process.cwd(), ready.experiment.metadata.name),
  );
  const code = await runPrepared(
    ready,
    { results, fresh: true, assert: true, quiet: options.quiet, source: file },
    output,
  );
  // Only the demo prunes: a user's own `run --fresh` archives are theirs to keep.
  if (options.pruneArchives) await pruneArchives(results);
  const history = await readResults(results);
  output.log(renderReport(history, 'text'));
  const html = results.replace(/\.jsonl$/, '') + '.html';
  await writeFile(html, renderReport(history, 'html'));
  output.warn(`HTML report: ${path.relative(process.cwd(), html) || html}`);
  return code;
}
