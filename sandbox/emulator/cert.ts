// A fresh self-signed certificate per emulator start: the SDK bearer-token policy
// refuses plain http, so the emulator must speak TLS, and clients trust this one
// cert through `tlsOptions: { ca }`. EC P-256 keeps generation to a few ms.
import { generate } from "selfsigned";

export interface EmulatorCertificate {
  cert: string;
  key: string;
}

export async function makeCertificate(): Promise<EmulatorCertificate> {
  const now = new Date();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 7 * 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
