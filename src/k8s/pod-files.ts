/**
 * In the pod: the experiment's files put back where it expects them, relative to its directory.
 * Carried files come from the experiment Secret's other keys; secret files are links to the
 * read-only Secret volumes under CANARY_SECRET_FILES_DIR. The experiment's directory sits `depth`
 * levels below the work directory, so `../plugins/x.js` stays inside it.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** How the pod lays out the experiment's files; stored in the experiment Secret beside it. */
export interface PodLayout {
  /** Directories the experiment sits below its work directory, so `../` paths stay inside it. */
  depth: number;
  /** Carried files: path relative to the experiment, and the experiment Secret key holding it. */
  files: { path: string; key: string }[];
  /** Secret files: path relative to the experiment, and where under CANARY_SECRET_FILES_DIR it is mounted. */
  secretFiles: { path: string; mounted: string }[];
}

/** Where the pod mounts secret files; the container's CANARY_SECRET_FILES_DIR says so too. */
export const SECRET_FILES_DIR = '/var/run/canary/secret-files';
export const SECRET_FILES_ENV = 'CANARY_SECRET_FILES_DIR';

/** Returns the experiment's directory. */
export async function layOutPodFiles(
  layout: PodLayout,
  data: Readonly<Record<string, string>>,
  workDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const depth = Number.isInteger(layout.depth) && layout.depth >= 0 ? Math.min(layout.depth, 32) : 0;
  const experimentDir = path.join(workDir, ...Array<string>(depth).fill('experiment'));
  await mkdir(experimentDir, { recursive: true });
  const inside = (file: string) => {
    const target = path.resolve(experimentDir, file);
    if (!target.startsWith(workDir + path.sep)) {
      throw new CanaryError(
        `experiment Secret: file ${JSON.stringify(file)} lies outside the work directory`,
        {
          exitCode: ExitCode.invalidExperiment,
          hints: ['launch the group again: canary k launch'],
        },
      );
    }
    return target;
  };
  for (const file of layout.files) {
    const encoded = data[file.key];
    if (encoded === undefined) {
      throw new CanaryError(`experiment Secret has no key ${file.key} (file ${file.path})`, {
        exitCode: ExitCode.invalidExperiment,
        hints: ['launch the group again: canary k launch'],
      });
    }
    const target = inside(file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(encoded, 'base64'));
  }
  const mounts = env[SECRET_FILES_ENV] || SECRET_FILES_DIR;
  for (const file of layout.secretFiles) {
    const target = inside(file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(path.join(mounts, file.mounted), target);
  }
  return experimentDir;
}
