/**
 * The local result file, by job: scanning and checking its lines (result-scan.ts), the one writer
 * (result-writer.ts), the history readers build (result-history.ts), the experiment hash
 * (result-hash.ts) and where the file really is (result-path.ts). Imported from here by the rest of
 * canary, so callers need not know the split.
 */
export { hashExperiment } from './result-hash.js';
export {
  parseResults,
  readResults,
  summarizeLoop,
  type ReadResultsOptions,
  type ResultHistory,
} from './result-history.js';
export { defaultResultsPath } from './result-path.js';
export { MissingResultsError, readTail, ResultFileError, type ResultTail } from './result-scan.js';
export { appendNote, freeArchiveName, ResultWriter } from './result-writer.js';
