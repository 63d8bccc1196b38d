// Licence notices of the packages bundled into dist/bundle/ (tools/bundle-cli.mjs writes them to
// dist/bundle/THIRD_PARTY_NOTICES.md, which is published with the bundle): the bundle replaces
// those packages, so their licence and NOTICE files must travel with it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const NOTICE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/** Package directories (relative to root) of every node_modules input in an esbuild metafile. */
export function bundledPackageDirs(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll('\\', '/'));
    if (match) dirs.add(match[1]);
  }
  return [...dirs].sort();
}

/** Markdown: each package with its declared licence, then each distinct licence text once. */
export function thirdPartyNotices(root, metafile) {
  const packages = bundledPackageDirs(metafile).map((dir) => describePackage(path.join(root, dir)));
  const byText = new Map();
  for (const pkg of packages) {
    for (const text of pkg.texts) {
      const holders = byText.get(text) ?? [];
      holders.push(pkg.id);
      byText.set(text, holders);
    }
  }
  const lines = [
    '# Third-party notices',
    '',
    'canary is published as one bundle (dist/bundle/) that contains the following packages. Their',
    'licences and notices follow, each text once, with the packages it belongs to.',
    '',
    '| package | licence |',
    '| ------- | ------- |',
    ...dedupe(packages).map(
      (pkg) => `| ${pkg.id} | ${pkg.license}${pkg.texts.length ? '' : ' (no licence file in the package)'} |`,
    ),
  ];
  for (const [text, holders] of byText) {
    lines.push('', '---', '', `## ${[...new Set(holders)].join(', ')}`, '', '```text', text.trimEnd(), '```');
  }
  return `${lines.join('\n')}\n`;
}

function describePackage(dir) {
  const pjson = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const license = typeof pjson.license === 'string' ? pjson.license : (pjson.license?.type ?? 'UNKNOWN');
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => NOTICE_FILE.test(name)) : [];
  const texts = files
    .sort()
    .map((name) => readFileSync(path.join(dir, name), 'utf8').replaceAll('```', "'''"));
  return { id: `${pjson.name}@${pjson.version}`, license, texts };
}

function dedupe(packages) {
  const seen = new Set();
  return packages.filter((pkg) => !seen.has(pkg.id) && seen.add(pkg.id));
}
