// The encoder: everything blaze needs to write messages (make, wrap, put).
export { QuotedPrintableEncoder, encodeQuotedPrintable, type QpEncoderOptions } from './qp-encoder.ts';
export { Base64Encoder, encodeBase64Body, type Base64EncoderOptions } from './base64-encoder.ts';
export { FOLD_SOFT_LIMIT, FOLD_HARD_LIMIT, foldField, foldLine, type FoldResult } from './fold.ts';
export { MAX_PLAIN_WORD, encodeWords, encodeUnstructured, type UnstructuredOptions } from './encoded-word-encoder.ts';
export {
  encodePhrase, encodeLocalPart, encodeDomain, encodeAddrSpec, encodeMailbox, isGroupOut, encodeAddress, encodeAddressList, type MailboxOut,
  type GroupOut, type AddressOut, type EncodeResult, type AddressEncodeOptions,
} from './address-encoder.ts';
export { isValidParamName, encodeParameter, encodeContentValue, type ParamEncodeOptions } from './param-encoder.ts';
export { formatZoneOffset, parseZoneOffset, formatRfc5322Date, parseRfc3339 } from './date-encoder.ts';
export { IdentifierSource } from './identifiers.ts';
export {
  TRANSFER_ENCODINGS, isTransferEncoding, BodyScanner, scanBody, looksBinary, chooseEncoding, identityEncoding, checkEncoding,
  type TransferEncoding, type BodyStats,
} from './encoding-choice.ts';
export {
  fieldKind, checkFieldName, checkFieldValue, encodeHeaderField, encodeHeaderFields, type HeaderFieldSpec, type FieldError, type FieldResult,
  type FieldEncodeOptions,
} from './field-encoder.ts';
export { DelimiterSearch } from './delimiter-search.ts';
export { parseMediaTypeLite, type MediaTypeLite } from './content-type-lite.ts';
export { MULTIPART_SUBTYPES, boundaryIsValid, MessageWrapper, type MultipartSubtype, type WrapOptions, type WrapFinish } from './wrapper.ts';
export { MultipartAppender, type AppendEvent } from './appender.ts';
export { parseAddressInput, type AddressInputResult } from './address-input.ts';
export { buildMessage, type LeafSpec, type MultipartSpec, type MimeSpec, type BuildOptions, type BuildResult } from './builder.ts';
export { bodyEncoder, type BodyTransform } from './body-encoder.ts';
export { SNIFF_BYTES, sniffType } from './sniff.ts';
