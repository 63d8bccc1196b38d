import Assert from './commands/assert.js';
import Demo from './commands/demo.js';
import Report from './commands/report.js';
import Run from './commands/run.js';
import ServeModel from './commands/serve-model.js';
import Validate from './commands/validate.js';

/** oclif's explicit command strategy: no directory scan at start-up. */
export const COMMANDS = {
  assert: Assert,
  demo: Demo,
  report: Report,
  run: Run,
  'serve-model': ServeModel,
  validate: Validate,
};
