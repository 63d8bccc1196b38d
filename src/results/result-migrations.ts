import { resultFormat, verdictGate, type ResultRecord } from './records.js';

/** Brings one record of an older (or older-shaped) segment to the shape this canary works with. */
export type MigrateRecord = (record: ResultRecord) => ResultRecord;

/**
 * Every result format this canary reads, with the step that upgrades its records when read. A format
 * missing here is newer than this canary (or not canary's): readers refuse it instead of guessing.
 * When the format changes, add the new one and let the old entry chain into it.
 */
export const migrations: Readonly<Record<string, MigrateRecord>> = {
  // v1 files written before SLO policies carry verdicts without `gate`: derive it from the status.
  'canary.result/v1': fillVerdictGates,
};

export function readsFormat(format: string): boolean {
  return Object.hasOwn(migrations, format);
}

/** Upgrade a record of a segment whose header said `format` (records before any header: the current one). */
export function migrateRecord(record: ResultRecord, format: string = resultFormat): ResultRecord {
  const migrate = migrations[format];
  return migrate ? migrate(record) : record;
}

function fillVerdictGates(record: ResultRecord): ResultRecord {
  if (record.kind !== 'loop' || record.slos.every((v) => v.gate !== undefined)) return record;
  return { ...record, slos: record.slos.map((v) => (v.gate ? v : { ...v, gate: verdictGate(v) })) };
}
