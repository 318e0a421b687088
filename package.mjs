// `npm run package`: what Azure runs, and nothing else. Builds the bundle, then
// assembles dist/package/ (host.json, the bundle and its lazily loaded core and telemetry files, a package.json without dependencies,
// so Flex Consumption has nothing to install: no remote build) and zips it into
// dist/privatelink-autopilot.zip for `az functionapp deployment source config-zip`
// / `azd deploy` / the deployment container.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";

const root = dirname(new URL(import.meta.url).pathname);
const out = join(root, "dist/package");
const zipPath = join(root, "dist/privatelink-autopilot.zip");
const BUNDLE = "dist/functions/index.cjs";

execFileSync(process.execPath, [join(root, "build.mjs")], { stdio: "inherit", cwd: root });

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, dirname(BUNDLE)), { recursive: true });
copyFileSync(join(root, "host.json"), join(out, "host.json"));
copyFileSync(join(root, BUNDLE), join(out, BUNDLE));
// core.cjs: loaded by the first invocation; telemetry.cjs: only when APPLICATIONINSIGHTS_CONNECTION_STRING is set (see build.mjs).
for (const chunk of ["core.cjs", "telemetry.cjs"]) copyFileSync(join(root, "dist/functions", chunk), join(out, "dist/functions", chunk));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
// The bundle is CommonJS (.cjs) and needs nothing from node_modules; the host supplies @azure/functions-core.
const deployed = { name: pkg.name, version: pkg.version, description: pkg.description, private: true, main: BUNDLE, engines: { node: ">=22" } };
writeFileSync(join(out, "package.json"), JSON.stringify(deployed, null, 2) + "\n");

const files = walk(out).sort();
writeFileSync(zipPath, zip(files.map((f) => ({ name: relative(out, f), data: readFileSync(f) }))));
for (const f of files) console.log(`  ${relative(out, f).padEnd(28)} ${statSync(f).size.toLocaleString("en")} bytes`);
console.log(`packaged ${relative(root, zipPath)} (${statSync(zipPath).size.toLocaleString("en")} bytes) from ${relative(root, out)}/`);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A plain zip (deflate, no extras): local headers, central directory, end record. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  // 1980-01-01 00:00: a fixed timestamp keeps the zip byte-identical for identical inputs.
  const time = 0;
  const date = (0 << 9) | (1 << 5) | 1;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name.split("\\").join("/"), "utf8");
    const body = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
