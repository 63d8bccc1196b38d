import type { RunEvent, RunObserver } from '../engine/events.js';
import type { ResultWriter } from '../results/result-file.js';
import { compactResultFile } from '../results/retention.js';

/**
 * After each recorded loop, compacts the result file down to `keep` loops in full. Runs after the
 * result observer (observers are awaited in order), so the loop is on disk before it may be folded.
 * The run holds the file's lock meanwhile; the writer's `verifyLock` stops a run that lost it from
 * replacing the file.
 */
export class RetentionObserver implements RunObserver {
  constructor(
    private readonly file: string,
    private readonly keep: number,
    private readonly warn: (line: string) => void,
    private readonly writer?: Pick<ResultWriter, 'verifyLock' | 'followReplacement'>,
  ) {}

  async onEvent(event: RunEvent): Promise<void> {
    if (event.type !== 'loop-end') return;
    const writer = this.writer;
    let result;
    try {
      result = await compactResultFile(
        this.file,
        this.keep,
        writer ? { verifyLock: () => writer.verifyLock() } : {},
      );
    } catch (error) {
      // Retention must never cost a loop: the old file is intact when compaction fails.
      this.warn(
        `canary: retention: compaction failed, the file was left as it was: ${(error as Error).message}`,
      );
      return;
    }
    if (result.skipped) this.warn(`canary: retention: ${result.skipped}`);
    if (result.folded + result.dropped === 0 || !writer) return;
    // The compacted file (a new inode) replaced the one the writer appends to: its offsets are stale.
    await writer.followReplacement().catch((error: unknown) => {
      this.warn(`canary: retention: compacted, but could not lock the new file: ${(error as Error).message}`);
    });
  }
}
