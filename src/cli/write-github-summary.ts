import { errorMessage } from '../errors.js';
import { readResults } from '../results/result-file.js';
import { buildReport } from '../report/build-report.js';
import { appendGitHubSummary } from '../report/github-summary.js';

/**
 * In GitHub Actions (GITHUB_STEP_SUMMARY set), append the markdown report of a result file to the
 * job summary. A summary that cannot be written is a warning: the verdict is the exit code.
 */
export async function writeGitHubSummary(resultsFile: string, warn: (line: string) => void): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY?.trim()) return;
  try {
    const file = await appendGitHubSummary(
      buildReport(await readResults(resultsFile, { fullLoops: 1 })),
      process.env,
    );
    if (file) warn(`summary appended to ${file}`);
  } catch (error) {
    warn(`canary: could not write the GitHub job summary: ${errorMessage(error)}`);
  }
}
