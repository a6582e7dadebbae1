// DKIM (RFC 6376, RFC 8463, RFC 8301) primitives, also used by ARC.
export { parseTagList, stripFws, isBase64, type TagList, type TagListResult } from './tag-list.ts';
export {
  canonicalizeHeaderSimple, canonicalizeHeaderRelaxed, canonicalizeHeader, canonicalizeSignatureField, parseCanonTag, type Canon,
} from './canon-header.ts';
export { BodyCanonicalizer, canonicalizeBody, type BodySink } from './canon-body.ts';
export { selectHeaders, removeSignatureValue, type HeaderField } from './select.ts';
export { ONCE_ONLY_FIELDS, unsignedDuplicates, unsignedDuplicatesReason, type UnsignedField } from './duplicates.ts';
export { parseKeyRecord, type KeyType, type KeyRecord, type KeyRecordResult } from './key-record.ts';
export {
  ed25519FromSeed, loadPrivateKey, loadPublicKey, publicKeyFromDer, publicKeyRecordData, keyFromSeed, generateKey, ed25519PrivateBytes,
  type LoadedKey, type KeyResult, type SeedKeyOptions,
} from './keys.ts';
export {
  algorithmParts, decodeDkimQuotedPrintable, isValidDomain, parseSignature, type DkimAlgorithm, type HashName, type DkimSignature,
  type SignatureParse,
} from './signature.ts';
export { headerHashData, signHeaderData, verifyHeaderData } from './crypto.ts';
export { foldBase64, foldTags, type FoldState } from './fold.ts';
export {
  RECOMMENDED_FIELDS, DEFAULT_SIGNED_FIELDS, signedFieldNames, DkimSigner, type Oversign, type DkimSignOptions, type SignedField,
  type DkimSignResult,
} from './sign.ts';
export {
  DkimVerifier, keyQuestion, evaluateSignature, verifyDkimMessage, exposure, type DkimStatus, type DkimResult, type DkimVerifyOptions, type PreparedSignature,
  type VerifyMessageResult,
} from './verify.ts';
export { formatDkimResult, dkimResultJson, dkimExitCode } from './report.ts';
