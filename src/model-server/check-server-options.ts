import { UsageError } from '../errors.js';
import { checkFaultOptions } from './fault-injection.js';
import { modelKinds } from './iris-classifier.js';
import type { ModelServerOptions } from './start-model-server.js';

/** Throws a UsageError listing every problem with the options, so one run shows them all. */
export function checkServerOptions(options: ModelServerOptions): void {
  const problems: string[] = [];
  if (options.versions.length === 0) problems.push('at least one version is needed');
  const names = new Set<string>();
  const ports = new Set<number>();
  options.versions.forEach((version, i) => {
    const subject = `versions[${i}]`;
    if (!version.revisionName) problems.push(`${subject}: revisionName must not be empty`);
    if (names.has(version.revisionName)) {
      problems.push(`${subject}: revision ${version.revisionName} is listed twice`);
    }
    names.add(version.revisionName);
    if (!modelKinds.includes(version.model)) {
      problems.push(
        `${subject}: model must be one of ${modelKinds.join(', ')} (got ${String(version.model)})`,
      );
    }
    const port = version.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      problems.push(`${subject}: port must be an integer from 0 to 65535 (got ${port})`);
    } else if (port !== 0 && ports.has(port)) {
      problems.push(`${subject}: port ${port} is already used by another version`);
    }
    ports.add(port);
    problems.push(...checkFaultOptions(version, subject));
  });
  if (options.name !== undefined && !/^[^/:?#\s]+$/.test(options.name)) {
    problems.push(
      `name must be non-empty, without "/", ":", "?", "#" or spaces (got ${JSON.stringify(options.name)})`,
    );
  }
  for (const limit of ['maxInstances', 'maxBodyBytes'] as const) {
    const value = options[limit];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      problems.push(`${limit} must be a positive integer (got ${value})`);
    }
  }
  if (problems.length > 0) throw new UsageError(`invalid model server options: ${problems.join('; ')}`);
}
