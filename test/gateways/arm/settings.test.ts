import { describe, expect, it } from "vitest";
import { retryOptionsOf } from "../../../shared/gateways/arm/settings.js";

describe("retryOptionsOf", () => {
  it("maps the settings onto the SDK pipeline's retry options, leaving unset ones to the SDK", () => {
    expect(retryOptionsOf({})).toBeUndefined();
    expect(retryOptionsOf({ maxRetries: 2 })).toEqual({ maxRetries: 2 });
    expect(retryOptionsOf({ retryDelayMs: 20, maxRetryDelayMs: 200 })).toEqual({ retryDelayInMs: 20, maxRetryDelayInMs: 200 });
    expect(retryOptionsOf({ maxRetries: 0, retryDelayMs: 0 })).toEqual({ maxRetries: 0, retryDelayInMs: 0 });
  });
});
