import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { ParsedEvent, ResourceEvent } from "../../shared/events/index.js";

export const REF = new URL("../fixtures/reference/eventgrid/", import.meta.url);
export const FIX = new URL("../fixtures/events/", import.meta.url);

export function readJson(base: URL, rel: string): any {
  return JSON.parse(readFileSync(new URL(rel, base), "utf8"));
}
export function readText(base: URL, rel: string): string {
  return readFileSync(new URL(rel, base), "utf8");
}
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function expectEvent(p: ParsedEvent): ResourceEvent {
  if (p.outcome !== "event") throw new Error(`expected an event, got ${JSON.stringify(p)}`);
  return p.event;
}
export function expectInvalid(p: ParsedEvent, match: RegExp): void {
  expect(p.outcome).toBe("invalid");
  if (p.outcome === "invalid") expect(p.error).toMatch(match);
}
export function expectIgnored(p: ParsedEvent, match?: RegExp): void {
  expect(p.outcome).toBe("ignored");
  if (p.outcome === "ignored" && match) expect(p.reason).toMatch(match);
}
