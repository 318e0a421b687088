// The allow-list's pure part: its schema, parsing and checks, and types. Reading it from a
// file, a folder or a blob, and the cache of the version in force, is shared/config/sources/.
export { ALLOW_LIST_SCHEMA, formatProblem, parseConfigText } from "./loadConfig.js";
export { DEFAULTS, RECORD_NAME_PLACEHOLDERS } from "./types.js";
export type {
  AllowListConfig,
  ApprovalConfig,
  ApprovalRule,
  CleanupConfig,
  ConfigProblem,
  ConfigResult,
  CustomRecordConfig,
  CustomRecordMatch,
  DnsConfig,
  DnsMode,
  DnsZoneConfig,
  RecordNamePlaceholder,
  RegisterWhen,
  UnmatchedAction,
} from "./types.js";
