// SPF (RFC 7208): record syntax, macros, the check_host() evaluator as a
// generator of DNS questions, and the Received-SPF header field.
export { SPF_RESULTS, type SpfResultKind, type SpfRequest, type SpfTraceEntry, type SpfResult } from './types.ts';
export { parseIpv4, parseIpv6, parseIp, unmapIpv4, inNetwork, formatIp, dottedIp, reverseName, sameIp, type IpAddress } from './ip.ts';
export {
  parseMacroString, parseDomainSpec, parseExplanation, usesMacro, expandMacros, urlEscape, MACRO_DELIMITERS, type MacroLetter, type MacroToken,
  type MacroParse, type MacroSyntax, type MacroValues,
} from './macro.ts';
export {
  isSpfRecord, countsLookup, parseSpfRecord, type Qualifier, type DomainSpec, type Mechanism, type Directive, type SpfRecord, type SpfRecordParse,
} from './record.ts';
export { SPF_LOOKUP_LIMIT, SPF_VOID_LIMIT, SPF_MX_LIMIT, SPF_PTR_LIMIT, DEFAULT_EXPLANATION, evaluateSpf, isQueryableDomain } from './evaluate.ts';
export {
  receivedSpfComment, receivedSpfPairs, formatReceivedSpf, parseReceivedSpf, receivedSpfIdentity, type ReceivedSpfInput, type ReceivedSpfValue,
  type ReceivedSpfParse,
} from './received-spf.ts';
export { spfExitCode, spfResultLine, spfTraceLine, spfResultJson, checkSpfSender, checkSpfHelo } from './report.ts';
