import { once } from 'node:events';
import { Args } from '@oclif/core';
import type { ReportFormat } from '../../report/render-report.js';
import { CanaryCommand } from '../base-command.js';
import { reportFormatFlag, resultsFileFlag } from '../shared-flags.js';

export default class Report extends CanaryCommand {
  static override summary =
    'Report an experiment from its result file: text, json, markdown, html or openmetrics';
  static override description =
    'Renders the latest loop (SLO table per version, metrics, tasks) and the history. `-o json` is a stable contract: schemas/report.schema.json. `-o openmetrics` prints the latest loop as gauges (canary_metric_value, canary_slo_limit, canary_slo_verdict, canary_slo_status, canary_loop) for a textfile collector or Pushgateway.';
  static override examples = [
    '<%= config.bin %> report',
    '<%= config.bin %> report experiment.yaml        # the results `canary run experiment.yaml` wrote',
    '<%= config.bin %> report -o json --results canary-results/sklearn-iris.jsonl',
    '<%= config.bin %> report -o html > report.html',
  ];
  static override args = {
    experiment: Args.string({
      description:
        'Experiment file: read the result file `canary run EXPERIMENT` writes (default: --results)',
    }),
  };
  static override flags = {
    ...resultsFileFlag,
    ...reportFormatFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Report);
    const { findResultsFile } = await import('../find-results.js');
    const { readResults } = await import('../../results/result-file.js');
    const { renderReportChunks } = await import('../../report/render-report.js');
    // A report shows the latest loop in full and only metric values of older ones.
    const history = await readResults(await findResultsFile(process.cwd(), flags.results, args.experiment), {
      fullLoops: 1,
    });
    for (const warning of history.warnings) this.logToStderr(`canary: ${warning}`);
    const format = flags.output as ReportFormat;
    for (const chunk of renderReportChunks(history, format)) {
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    }
    // Loops retention compacted away: their aggregates, as `canary k report` shows the cluster store's.
    if (history.earlier && (format === 'text' || format === 'markdown')) {
      const { renderEarlierLoops } = await import('../../results/cluster-store-report.js');
      if (!process.stdout.write(renderEarlierLoops(history.earlier, format))) {
        await once(process.stdout, 'drain');
      }
    }
  }
}
