import type { ReportFormat } from '../../../report/render-report.js';
import { CanaryCommand } from '../../base-command.js';
import { reportFormatFlag } from '../../shared-flags.js';
import { kubeFlags } from './launch.js';

export default class KReport extends CanaryCommand {
  static override summary = "Report a group's in-cluster results: text, json, markdown or html";
  static override description =
    'Like `canary report`, on the result store of the group in the cluster. The store keeps the last loops in full and summarizes older ones: text and markdown reports end with those aggregates.';
  static override examples = [
    '<%= config.bin %> k report -g default',
    '<%= config.bin %> k report -g sklearn -n models -o html > report.html',
  ];
  static override flags = {
    ...kubeFlags,
    ...reportFormatFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KReport);
    const { connectGroup, readGroupStore, storeLabel } = await import('../../../k8s/group-results.js');
    const { toResultHistory } = await import('../../../results/cluster-store.js');
    const { renderEarlierLoops } = await import('../../../results/cluster-store-report.js');
    const { renderReport } = await import('../../../report/render-report.js');
    const target = connectGroup({ ...flags, env: process.env });
    const store = await readGroupStore(target, AbortSignal.timeout(60_000));
    const format = flags.output as ReportFormat;
    let text = renderReport(toResultHistory(store, storeLabel(target)), format);
    if (store.earlier.loops > 0) {
      if (format === 'text' || format === 'markdown') text += renderEarlierLoops(store.earlier, format);
      else
        this.logToStderr(
          `canary: the report covers the last ${store.loops.length} loops; ${store.earlier.loops} earlier loops are summarized (see -o text)`,
        );
    }
    process.stdout.write(text);
  }
}
