// DMARC (RFC 7489, RFC 9989 options): author domain, policy records, discovery, alignment, evaluation.
export { normalizeDomain, registrableDomain, organizationalDomain } from './org-domain.ts';
export { isAligned, type AlignmentMode } from './align.ts';
export {
  isValidReportUri, looksLikeDmarcRecord, parseDmarcRecord, type DmarcPolicy, type DmarcRecord, type DmarcRecordError, type DmarcRecordParse,
} from './record.ts';
export { authorDomain, findFromDomain, type FromDomainResult } from './from.ts';
export {
  lookupDmarc, discoverPolicy, treeWalkNames, treeWalkOrgDomain, treeWalk, type Lookup, type LookupCache, type Discovery, type OrgDomainWalk,
} from './discover.ts';
export { evaluateDmarc, type DmarcStatus, type DmarcInput, type DmarcResult } from './evaluate.ts';
export { dmarcComment, buildAuthResults, type CheckedSpf, type CheckedDkim, type CheckedArc } from './results.ts';
