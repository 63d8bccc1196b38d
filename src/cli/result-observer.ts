import type { RunEvent, RunObserver } from '../engine/events.js';
import type { Experiment } from '../config/experiment.js';
import type { EndRecord, HeaderRecord, LoopRecord } from '../results/records.js';
import { resultFormat } from '../results/records.js';
import type { ResultWriter } from '../results/result-file.js';
import { toolVersion } from '../version.js';
import { redactUrlUserinfoDeep, withoutUrlUserinfo } from '../util/url-secrets.js';

/** Appends the header (when the experiment is new or changed), every loop, and the end record. */
export class ResultObserver implements RunObserver {
  readonly loops: LoopRecord[] = [];
  header?: HeaderRecord;
  end?: EndRecord;
  private endReason?: EndRecord['reason'];

  constructor(
    private readonly writer: ResultWriter,
    private readonly experiment: Experiment,
    private readonly experimentHash: string,
    private readonly source: string | undefined,
  ) {}

  /** SIGINT and SIGTERM end differently; the engine only knows it was interrupted. */
  setEndReason(reason: EndRecord['reason']): void {
    this.endReason = reason;
  }

  async onEvent(event: RunEvent): Promise<void> {
    if (event.type === 'experiment-start') {
      if (this.writer.needsHeader(this.experimentHash)) {
        this.header = {
          kind: 'header',
          format: resultFormat,
          tool: { name: 'canary', version: toolVersion },
          created: new Date().toISOString(),
          experimentHash: this.experimentHash,
          firstLoop: event.firstLoop,
          ...(this.source !== undefined ? { source: this.source } : {}),
          // The experiment holds values such as --set prometheusURL=http://user:pass@host/...
          experiment: redactUrlUserinfoDeep(this.experiment),
        };
        await this.writer.append(this.header);
      }
    } else if (event.type === 'loop-end') {
      const record = withoutUrlUserinfo(event.record);
      await this.writer.append(record);
      this.loops.push(record);
    } else if (event.type === 'experiment-end') {
      this.end = {
        kind: 'end',
        at: new Date().toISOString(),
        reason: event.reason === 'interrupted' && this.endReason ? this.endReason : event.reason,
        loops: event.loops,
        lastLoop: this.writer.lastLoop,
        experimentHash: this.experimentHash,
        ...(this.writer.experimentStart ? { experimentStart: this.writer.experimentStart } : {}),
      };
      await this.writer.append(this.end);
    }
  }
}
