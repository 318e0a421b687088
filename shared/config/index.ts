export { ALLOW_LIST_SCHEMA, formatProblem, loadConfigFile, parseConfigText } from "./loadConfig.js";
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
