// Event Grid webhook validation handshake (Event Grid schema). CloudEvents subscriptions use an
// HTTP OPTIONS handshake instead (WebHook-Request-Origin), which is not an event and not handled here.
import { decodeObject, isObject, str } from "./json.js";
import { SUBSCRIPTION_VALIDATION_EVENT } from "./parse.js";
import type { SubscriptionValidation } from "./types.js";

/**
 * Returns the validation code (and URL) when `raw` is, or is a batch holding, a
 * `Microsoft.EventGrid.SubscriptionValidationEvent` with a `data.validationCode`; otherwise undefined.
 * Accepts an object, an array (the webhook body) or a JSON string of either. Never throws.
 * Answer with HTTP 200 and `{ "validationResponse": validationCode }` within 30 s.
 */
export function subscriptionValidation(raw: unknown): SubscriptionValidation | undefined {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    const found = fromOne(item);
    if (found) return found;
  }
  return undefined;
}

function fromOne(item: unknown): SubscriptionValidation | undefined {
  if (!isObject(item)) return undefined;
  const type = str(item["eventType"]) ?? str(item["type"]);
  if (type?.toLowerCase() !== SUBSCRIPTION_VALIDATION_EVENT.toLowerCase()) return undefined;
  const data = decodeObject(item["data"], "data");
  if (!data.ok || !data.value) return undefined;
  const validationCode = str(data.value["validationCode"]);
  if (!validationCode) return undefined;
  const validationUrl = str(data.value["validationUrl"]);
  return validationUrl ? { validationCode, validationUrl } : { validationCode };
}
