// Reading the ValiMail ARC suite (YAML scenarios) for the conformance runner and unit tests.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Answer, Question } from '../../src/dns/index.ts';

export interface Scenario {
  description: string;
  tests: Record<string, Record<string, unknown>>;
  'txt-records'?: Record<string, string>;
  domain?: string;
  sel?: string;
  privatekey?: string;
}

/** `dir` is the suite's directory ($BLAZE_CORPUS/arc/, see test/support/corpus.ts). */
export function loadScenarios(dir: string, file: string): Scenario[] {
  return parseAllDocuments(readFileSync(`${dir}${file}`, 'utf8'))
    .map((d) => d.toJS() as Scenario | null)
    .filter((s): s is Scenario => !!s && typeof s === 'object' && !!s.tests);
}

/** The message as CRLF bytes. */
export function crlf(message: string): Buffer {
  return Buffer.from(message.replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Answers key questions from a scenario's txt-records. */
export function txtAnswers(records: Record<string, string> = {}) {
  const zone = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), String(v).replace(/\n/g, '')]));
  return (q: Question): Answer => {
    const v = zone.get(q.name.toLowerCase());
    if (q.type !== 'TXT' || v === undefined) return { ok: false, type: q.type, error: 'nxdomain' };
    return { ok: true, type: 'TXT', records: [[v]] };
  };
}
