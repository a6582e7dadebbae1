// ARC (RFC 8617): fields, reading a message, chain validation, sealing.
export {
  MAX_INSTANCE, parseInstance, parseArcSeal, parseArcMessageSignature, parseAarInstance, type ChainStatus, type ArcSeal, type ArcMessageSignature,
  type FieldParse,
} from './fields.ts';
export { arcStructure, ArcReader, type ArcSet, type ArcStructure } from './reader.ts';
export { lookupKey, sealHashData, evaluateArc, type SetCheck, type ArcSetResult, type ArcResult, type ArcVerifyOptions } from './validate.ts';
export { splitResinfo, consolidateAuthResults, writeTags, sealMessage, type SealOptions, type SealedSet, type SealResult } from './seal.ts';
