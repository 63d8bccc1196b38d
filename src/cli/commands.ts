import Assert from './commands/assert.js';
import Demo from './commands/demo.js';
import Diff from './commands/diff.js';
import Init from './commands/init.js';
import Migrate from './commands/migrate.js';
import KAssert from './commands/k/assert.js';
import KDelete from './commands/k/delete.js';
import KLaunch from './commands/k/launch.js';
import KLog from './commands/k/log.js';
import KReport from './commands/k/report.js';
import KResultsInvalidate from './commands/k/results/invalidate.js';
import KResultsPin from './commands/k/results/pin.js';
import KResultsUnpin from './commands/k/results/unpin.js';
import KRun from './commands/k/run.js';
import Report from './commands/report.js';
import ResultsInvalidate from './commands/results/invalidate.js';
import ResultsList from './commands/results/list.js';
import ResultsPin from './commands/results/pin.js';
import ResultsUnpin from './commands/results/unpin.js';
import Run from './commands/run.js';
import Schema from './commands/schema.js';
import ServeModel from './commands/serve-model.js';
import Validate from './commands/validate.js';

/** oclif's explicit command strategy: no directory scan at start-up. */
export const COMMANDS = {
  assert: Assert,
  demo: Demo,
  diff: Diff,
  init: Init,
  migrate: Migrate,
  'k:assert': KAssert,
  'k:delete': KDelete,
  'k:launch': KLaunch,
  'k:log': KLog,
  'k:report': KReport,
  'k:results:invalidate': KResultsInvalidate,
  'k:results:pin': KResultsPin,
  'k:results:unpin': KResultsUnpin,
  'k:run': KRun,
  report: Report,
  'results:invalidate': ResultsInvalidate,
  'results:list': ResultsList,
  'results:pin': ResultsPin,
  'results:unpin': ResultsUnpin,
  run: Run,
  schema: Schema,
  'serve-model': ServeModel,
  validate: Validate,
};
