export {
  QuotedPrintableEncoder, encodeQuotedPrintable, Base64Encoder, encodeBase64Body, FOLD_SOFT_LIMIT, FOLD_HARD_LIMIT, foldField, foldLine,
  MAX_PLAIN_WORD, encodeWords, encodeUnstructured, encodePhrase, encodeLocalPart, encodeDomain, encodeAddrSpec, encodeMailbox, isGroupOut,
  encodeAddress, encodeAddressList, isValidParamName, encodeParameter, encodeContentValue, formatZoneOffset, parseZoneOffset, formatRfc5322Date,
  parseRfc3339, IdentifierSource, TRANSFER_ENCODINGS, isTransferEncoding, BodyScanner, scanBody, looksBinary, chooseEncoding, identityEncoding,
  checkEncoding, fieldKind, checkFieldName, checkFieldValue, encodeHeaderField, encodeHeaderFields, DelimiterSearch, parseMediaTypeLite,
  MULTIPART_SUBTYPES, boundaryIsValid, MessageWrapper, MultipartAppender, parseAddressInput, buildMessage, bodyEncoder, SNIFF_BYTES, sniffType,
  type QpEncoderOptions, type Base64EncoderOptions, type FoldResult, type UnstructuredOptions, type MailboxOut, type GroupOut, type AddressOut,
  type EncodeResult, type AddressEncodeOptions, type ParamEncodeOptions, type TransferEncoding, type BodyStats, type HeaderFieldSpec,
  type FieldError, type FieldResult, type FieldEncodeOptions, type MediaTypeLite, type MultipartSubtype, type WrapOptions, type WrapFinish,
  type AppendEvent, type AddressInputResult, type LeafSpec, type MultipartSpec, type MimeSpec, type BuildOptions, type BuildResult,
  type BodyTransform,
} from './encoder/index.ts';
export { normalizeCharsetName, isKnownCharset, decodeCharset, decodeHeaderBytes } from './charset.ts';
export {
  encodedWordSegments, unfoldSpace, decodeEncodedWords, hasEncodedWord, type EncodedWordSegment, type DecodeWordsOptions,
} from './encoded-word.ts';
export {
  isGroup, parseAddressList, parseMailbox, flattenAddresses, addrSpec, formatAddress, type Mailbox, type Group, type Address,
  type AddressListResult, type MailboxResult, type AddressParseOptions, type FormatAddressOptions,
} from './address.ts';
export { parseDate, formatDateOriginal, formatDateIso, type DateParts, type DateResult } from './date.ts';
export { parseMessageIds, parseMessageId } from './message-id.ts';
export { unfoldUnstructured, decodeUnstructured, decodeUnstructuredBytes, decodeTextList } from './unstructured.ts';
export {
  parseContentValue, defaultContentType, parseContentType, parseContentDisposition, type ParsedContentValue, type ContentType,
  type ContentDisposition,
} from './content-type.ts';
export { Base64Decoder } from './base64-decoder.ts';
export { QuotedPrintableDecoder } from './qp-decoder.ts';
export { transferEncodingOf, bodyDecoder, type BodyDecoder } from './body-decoder.ts';
export { MimeDecoder, type MimePart, type MimeEvent, type MimeDecoderOptions } from './multipart.ts';
export { parseToTree, type MimeNode, type MimeTree } from './tree.ts';
