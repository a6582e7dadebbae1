export {
  isTemporary, txtStrings, normalizeName, type RRType, type Question, type MxRecord, type RecordTypes, type DnsErrorKind, type Answer,
  type Resolver,
} from './types.ts';
export { run, runSync, type Evaluator } from './run.ts';
export { dnsErrorKind, systemResolver, type SystemResolverOptions } from './system.ts';
export { parseStaticZone, staticResolver, type StaticResolverOptions } from './static.ts';
export { answerFromZone, memoryResolver, type MemoryRecords, type MemoryZone } from './memory.ts';
export { RR_CODES, encodeDnsQuery, dnsMessageId, isTruncated, decodeDnsResponse } from './wire.ts';
export { withRawNames, type RawServer } from './raw.ts';
