import { TaskError } from '../../errors.js';
import { resolveHeaders, type SecretContext, type SecretSource } from '../../metrics/backend/secrets.js';

export interface ResolvedSecret {
  value: string;
  /** Secret parts for a Redactor (none for a literal `value`). */
  secrets: string[];
}

/**
 * One secret that is not a header (a webhook URL, a token). secrets.ts only exports header
 * resolution, so this resolves a one-header map and renames "header" in its messages.
 */
export async function resolveSecret(
  source: SecretSource,
  what: string,
  context: SecretContext,
): Promise<ResolvedSecret> {
  try {
    const { headers, secrets } = await resolveHeaders({ [what]: source }, context);
    return { value: headers[what] ?? '', secrets };
  } catch (error) {
    if (error instanceof TaskError)
      throw new TaskError(error.message.replace(`header "${what}"`, what), error.kind, { cause: error });
    throw error;
  }
}
