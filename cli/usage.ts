// The CLI's usage text, apart from the commands so that `--help` and a usage error load nothing else.
import { CONTINUATIONS_POISON_QUEUE, CONTINUATIONS_QUEUE, EVENTS_POISON_QUEUE, EVENTS_QUEUE } from "../shared/runtime/azureNames.js";

export const AUDIT_USAGE =
  "privatelink-autopilot audit [--since <ISO time | 30m | 24h | 7d>] [--resource <id>] [--action <action>] [--limit N] [--json] [--connection-string <cs>]";

export const STORAGE_USAGE = `privatelink-autopilot redrive-poison [--queue events|continuations] [--max <n>] [--dry-run]
      (moves ${EVENTS_POISON_QUEUE} back to ${EVENTS_QUEUE}, or ${CONTINUATIONS_POISON_QUEUE} to ${CONTINUATIONS_QUEUE};
       storage from AzureWebJobsStorage or AzureWebJobsStorage__queueServiceUri)
  privatelink-autopilot publish-allow-list [--url <blob url>] <allow-list.yaml | folder>
      (validates, then uploads to --url or AUTOPILOT_ALLOW_LIST_URL; the app takes it within AUTOPILOT_ALLOW_LIST_REFRESH_SECONDS)`;

export const REPORT_USAGE =
  "privatelink-autopilot report --config <allow-list.yaml> [--estate <estate.json>] --out <report.html> [--days N] [--audit-file <audit.jsonl> | --connection-string <cs>] [--json]";

export const USAGE = `usage:
  privatelink-autopilot validate [--json] <allow-list.yaml | folder>
  privatelink-autopilot explain --config <allow-list.yaml> --estate <estate.json> [--json] <connection-or-endpoint-id>
  privatelink-autopilot replay --config <allow-list.yaml> --estate <estate.json> [--state-out <file>] [--dry-run] [--verbose] <events.json>
  privatelink-autopilot reconcile --config <allow-list.yaml> [--estate <estate.json> [--state-out <file>] [--connection-string <cs>]] [--subscriptions <id,id>] [--dry-run] [--verbose]
      (without --estate: against real Azure with DefaultAzureCredential and the AZURE_* settings; with it, audited to the table of
      --connection-string, else in memory)
  privatelink-autopilot pending --config <allow-list.yaml> [--estate <estate.json>] [--json] [--connection-string <cs>]
  ${REPORT_USAGE}
  ${AUDIT_USAGE}
  ${STORAGE_USAGE}`;
