import { TaskError } from '../../errors.js';
import { bearer } from '../../metrics/backend/secrets.js';
import { compactReport } from './compact-report.js';
import type { GitHubInput } from './notify-input.js';
import {
  checkHttpUrl,
  userAgent,
  type PrepareContext,
  type PreparedNotification,
} from './prepared-notification.js';

export const defaultGitHubApi = 'https://api.github.com';
export const defaultEventType = 'canary';

/**
 * A `repository_dispatch` event, which starts workflows `on: repository_dispatch: types: [<eventType>]`
 * with the compact report as `github.event.client_payload`.
 */
export async function prepareGitHubDispatch(
  input: GitHubInput,
  context: PrepareContext,
): Promise<PreparedNotification> {
  const auth = await bearer(input.token, { env: { ...context.env }, baseDir: context.experimentDir });
  const api = (input.apiUrl ?? defaultGitHubApi).replace(/\/+$/, '');
  const [owner = '', name = ''] = input.repository.split('/');
  const url = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/dispatches`;
  const parsed = checkHttpUrl(url, 'the GitHub apiUrl');
  if (typeof parsed === 'string') throw new TaskError(parsed, 'error');
  return {
    request: {
      url,
      method: 'POST',
      headers: {
        ...auth.headers,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'content-type': 'application/json',
        'user-agent': userAgent,
      },
      body: JSON.stringify({
        event_type: input.eventType ?? defaultEventType,
        client_payload: compactReport(context.report),
      }),
    },
    secrets: auth.secrets,
  };
}
