import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../shared/util/sha256.js";
import { allowListVersion } from "../../shared/config/sources/allowListCache.js";

describe("sha256Hex", () => {
  it("hashes UTF-8 to lower-case hex (the keys already stored stay valid)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("is the allow-list's version too: sha256: and the first 12 hex digits", () => {
    expect(allowListVersion("abc")).toBe("sha256:ba7816bf8f01");
  });
});
