// The pipeline policies every ARM client of the app carries, per attempt and in this
// order: pacing to ARM's token buckets (when configured), then the per-attempt timeout.
import type { Pacer } from "./pacing.js";
import { pacingPolicy } from "./pacing.js";
import type { ArmSettings } from "./settings.js";
import { timeoutPolicy } from "./timeouts.js";

export function armPolicies(settings: ArmSettings, pacer?: Pacer) {
  return {
    additionalPolicies: [
      ...(pacer ? [{ policy: pacingPolicy(pacer), position: "perRetry" as const }] : []),
      { policy: timeoutPolicy(settings.requestTimeoutMs), position: "perRetry" as const },
    ],
  };
}
