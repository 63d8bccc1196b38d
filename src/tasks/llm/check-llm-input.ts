import { formatDuration, parseDuration } from '../../util/duration.js';
import { isSensitiveHeader } from '../../metrics/backend/secrets.js';
import { literalCredentialWarning } from '../literal-credential.js';
import type { TaskProblem } from '../task-definition.js';
import type { LlmInput } from './llm-input.js';

/** Checks the schema cannot express; `path` is below `with`. */
export function checkLlmInput(input: LlmInput): TaskProblem[] {
  const problems: TaskProblem[] = [];
  if ((input.url === undefined) === (input.endpoints === undefined)) {
    problems.push({
      severity: 'error',
      path: [],
      message:
        input.url === undefined ? 'neither url nor endpoints is set' : 'both url and endpoints are set',
      hint: 'give url (one API base, version 0) or endpoints (one API base per version)',
    });
  }
  if (input.numRequests !== undefined && input.duration !== undefined) {
    problems.push({
      severity: 'error',
      path: ['duration'],
      message: 'numRequests and duration are both set',
      hint: 'keep one: a count of requests or a time',
      atKey: true,
    });
  }
  if (input.duration !== undefined && parseDuration(input.duration) <= 0) {
    problems.push({
      severity: 'error',
      path: ['duration'],
      message: `duration ${input.duration} is not positive`,
    });
  }
  if (input.timeout !== undefined && parseDuration(input.timeout) <= 0) {
    problems.push({
      severity: 'error',
      path: ['timeout'],
      message: `timeout ${input.timeout} is not positive`,
      hint: `e.g. timeout: ${formatDuration(60_000)}`,
    });
  }
  const synthetic =
    input.prompts !== undefined && 'synthetic' in input.prompts ? input.prompts.synthetic : undefined;
  if (
    synthetic?.minWords !== undefined &&
    synthetic.maxWords !== undefined &&
    synthetic.minWords > synthetic.maxWords
  ) {
    problems.push({
      severity: 'error',
      path: ['prompts', 'synthetic', 'minWords'],
      message: `minWords ${synthetic.minWords} is above maxWords ${synthetic.maxWords}`,
    });
  }
  for (const key of ['model', 'messages', 'prompt', 'stream', 'stream_options'] as const) {
    if (input.body && key in input.body) {
      problems.push({
        severity: 'warning',
        path: ['body', key],
        message: `body.${key} is set by the task and is ignored here`,
        atKey: true,
      });
    }
  }
  const levels: Array<[Array<string | number>, { headers?: Record<string, string> }]> = [
    [[], input],
    ...Object.entries(input.endpoints ?? {}).map(
      ([id, endpoint]): [Array<string | number>, { headers?: Record<string, string> }] => [
        ['endpoints', id],
        endpoint,
      ],
    ),
  ];
  for (const [at, level] of levels) {
    for (const name of Object.keys(level.headers ?? {})) {
      if (isSensitiveHeader(name)) problems.push(literalCredentialWarning([...at, 'headers', name], name));
    }
  }
  return problems;
}
