// The report page: one self-contained HTML document (inline CSS, inline SVG, no script,
// nothing fetched). Every string that comes from Azure or a consumer (endpoint names,
// request messages, reasons) goes through `esc`: a request message is shown, never run.
import { DECISION_KINDS, STATES, type ReportFigures } from "./figures.js";

const COLORS: Record<string, string> = {
  Approved: "#2e7d32",
  Pending: "#f9a825",
  Rejected: "#c62828",
  Disconnected: "#6d4c41",
  Unknown: "#9e9e9e",
  approve: "#2e7d32",
  reject: "#c62828",
  "leave-pending": "#f9a825",
  dns: "#1565c0",
  cleanup: "#6d4c41",
  other: "#9e9e9e",
};
const color = (k: string) => COLORS[k] ?? "#7b1fa2";

/** HTML text and attribute escaping (& < > " '). */
export function esc(s: string | number | undefined): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function renderReport(f: ReportFigures): string {
  const states = [...STATES, ...Object.keys(f.connections.byState).filter((s) => !(STATES as readonly string[]).includes(s))];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>privatelink-autopilot report</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#212121;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.muted{color:#757575}.tiles{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.tile{background:#fff;border:1px solid #e0e0e0;border-left:6px solid var(--c);border-radius:4px;padding:8px 14px;min-width:110px}
.tile b{display:block;font-size:26px}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f5f5f5}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.id{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}
svg text{font:11px system-ui,sans-serif;fill:#424242}
</style></head><body>
<h1>privatelink-autopilot report</h1>
<p class="muted">Generated ${esc(f.generatedAt)} · decisions over the last ${f.days} day(s)</p>
${connectionsSection(f, states)}
${decisionsSection(f)}
${zonesSection(f)}
${pendingSection(f)}
${failuresSection(f)}
</body></html>
`;
}

function legend(keys: readonly string[]): string {
  return `<p class="legend">${keys.map((k) => `<span style="--c:${color(k)}"><i></i>${esc(k)}</span>`).join("")}</p>`;
}

function connectionsSection(f: ReportFigures, states: string[]): string {
  const c = f.connections;
  const tiles = [`<div class="tile" style="--c:#424242" data-figure="connections-total"><b>${c.total}</b>connections</div>`]
    .concat(states.map((s) => `<div class="tile" style="--c:${color(s)}" data-figure="state-${esc(s)}"><b>${c.byState[s] ?? 0}</b>${esc(s)}</div>`))
    .join("");
  // One horizontal stacked bar per provider type.
  const rowH = 22,
    labelW = 300,
    barW = 560,
    max = Math.max(1, ...c.byProvider.map((p) => p.total));
  const bars = c.byProvider
    .map((p, i) => {
      let x = labelW;
      const segs = states
        .filter((s) => p.byState[s])
        .map((s) => {
          const w = (p.byState[s]! / max) * barW;
          const seg = `<rect x="${x.toFixed(1)}" y="${i * rowH + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color(s)}"><title>${esc(p.provider)}: ${p.byState[s]} ${esc(s)}</title></rect>`;
          x += w;
          return seg;
        })
        .join("");
      return `<text x="0" y="${i * rowH + 15}">${esc(p.provider)}</text>${segs}<text x="${(x + 6).toFixed(1)}" y="${i * rowH + 15}">${p.total}</text>`;
    })
    .join("");
  const chart = c.byProvider.length
    ? `<svg role="img" aria-label="connections by provider type and state" width="${labelW + barW + 50}" height="${c.byProvider.length * rowH}" viewBox="0 0 ${labelW + barW + 50} ${c.byProvider.length * rowH}">${bars}</svg>${legend(states)}`
    : `<p class="muted">No connection on the managed resources.</p>`;
  const table = c.byProvider.length
    ? `<table><thead><tr><th>Provider type</th>${states.map((s) => `<th>${esc(s)}</th>`).join("")}<th>Total</th></tr></thead><tbody>${c.byProvider
        .map((p) => `<tr><td>${esc(p.provider)}</td>${states.map((s) => `<td class="n">${p.byState[s] ?? 0}</td>`).join("")}<td class="n">${p.total}</td></tr>`)
        .join("")}</tbody></table>`
    : "";
  return `<section id="connections"><h2>Connections by state and provider type</h2><div class="tiles">${tiles}</div>${chart}${table}</section>`;
}

function decisionsSection(f: ReportFigures): string {
  const head = `<section id="decisions"><h2>Decisions over the last ${f.days} day(s)</h2>`;
  if (!f.decisions) return `${head}<p class="muted">No audit trail was read (no storage configured): no decisions to show.</p></section>`;
  const d = f.decisions;
  const colW = Math.max(14, Math.min(60, Math.floor(840 / d.perDay.length))),
    h = 180,
    top = 10,
    bottom = 34,
    left = 36;
  const max = Math.max(1, ...d.perDay.map((p) => DECISION_KINDS.reduce((n, k) => n + p.counts[k], 0)));
  const cols = d.perDay
    .map((p, i) => {
      let y = top + h;
      const x = left + i * colW + 2;
      const segs = DECISION_KINDS.filter((k) => p.counts[k])
        .map((k) => {
          const hh = (p.counts[k] / max) * h;
          y -= hh;
          return `<rect x="${x}" y="${y.toFixed(1)}" width="${colW - 4}" height="${hh.toFixed(1)}" fill="${color(k)}"><title>${esc(p.day)}: ${p.counts[k]} ${esc(k)}</title></rect>`;
        })
        .join("");
      const label =
        d.perDay.length <= 16 || i % Math.ceil(d.perDay.length / 16) === 0 ? `<text x="${x}" y="${top + h + 14}">${esc(p.day.slice(5))}</text>` : "";
      return segs + label;
    })
    .join("");
  const axis = `<line x1="${left}" y1="${top + h}" x2="${left + d.perDay.length * colW}" y2="${top + h}" stroke="#9e9e9e"/><text x="0" y="${top + 10}">${max}</text><text x="0" y="${top + h}">0</text>`;
  const w = left + d.perDay.length * colW + 10;
  const rows = d.perDay
    .map((p) => `<tr><td>${esc(p.day)}</td>${DECISION_KINDS.map((k) => `<td class="n">${p.counts[k]}</td>`).join("")}<td class="n">${p.failed}</td></tr>`)
    .join("");
  return `${head}<p><b data-figure="decisions-total">${d.total}</b> decision(s) in the audit trail.</p>
<svg role="img" aria-label="decisions per day" width="${w}" height="${top + h + bottom}" viewBox="0 0 ${w} ${top + h + bottom}">${axis}${cols}</svg>${legend(DECISION_KINDS)}
<details><summary>Per day</summary><table><thead><tr><th>Day (UTC)</th>${DECISION_KINDS.map((k) => `<th>${esc(k)}</th>`).join("")}<th>failed</th></tr></thead><tbody>${rows}</tbody></table></details></section>`;
}

function zonesSection(f: ReportFigures): string {
  const head = `<section id="zones"><h2>DNS records owned and claimed per zone</h2>`;
  if (!f.zones.length) return `${head}<p class="muted">No DNS zone is configured.</p></section>`;
  const max = Math.max(1, ...f.zones.map((z) => z.owned + z.foreign));
  const bar = (n: number, c: string) =>
    `<svg width="120" height="10" aria-hidden="true"><rect width="${((n / max) * 120).toFixed(1)}" height="10" fill="${c}"/></svg>`;
  const rows = f.zones
    .map(
      (z) =>
        `<tr><td>${esc(z.zone)}</td><td class="id">${esc(z.resourceGroupId)}</td>` +
        (z.error
          ? `<td colspan="4">could not be read: ${esc(z.error)}</td>`
          : `<td class="n">${z.owned} ${bar(z.owned, "#1565c0")}</td><td class="n">${z.claimed}</td><td class="n">${z.claimants}</td><td class="n">${z.foreign}</td>`) +
        `</tr>`,
    )
    .join("");
  return `${head}<p class="muted">Owned: record sets carrying this deployment's marker. Claimed: owned record sets that other endpoints are waiting for (claimants). Foreign: record sets the app never touches.</p>
<table><thead><tr><th>Zone</th><th>Resource group</th><th>Owned</th><th>Claimed</th><th>Claimants</th><th>Foreign</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function age(s: number | undefined): string {
  if (s === undefined) return "unknown";
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

function pendingSection(f: ReportFigures): string {
  const head = `<section id="pending"><h2>Requests pending longest</h2><p><b data-figure="pending-total">${f.pendingTotal}</b> connection(s) wait for a human${f.pendingTotal > f.pending.length ? ` (the ${f.pending.length} longest shown)` : ""}.</p>`;
  if (!f.pending.length) return `${head}</section>`;
  const rows = f.pending
    .map(
      (p) =>
        `<tr class="pending-row"><td>${esc(age(p.ageSeconds))}</td><td class="id">${esc(p.connection)}</td><td class="id">${esc(p.requester ?? "(none named)")}</td><td class="message">${esc(p.message ?? "")}</td><td>${esc(p.closestRule ?? "(none)")}</td><td>${esc(p.why)}</td><td>${esc(p.plan)}</td></tr>`,
    )
    .join("");
  return `${head}<table><thead><tr><th>Waiting</th><th>Connection</th><th>Requester</th><th>Request message</th><th>Closest rule</th><th>What it says</th><th>The app's next step</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function failuresSection(f: ReportFigures): string {
  const head = `<section id="failures"><h2>Failures</h2><p><b data-figure="failures-total">${f.failuresTotal}</b> failure(s)${f.failuresTotal > f.failures.length ? ` (the ${f.failures.length} newest shown)` : ""}.</p>`;
  if (!f.failures.length) return `${head}</section>`;
  const rows = f.failures
    .map((x) => `<tr><td>${esc(x.time ?? "now")}</td><td>${esc(x.action)}</td><td class="id">${esc(x.resource)}</td><td>${esc(x.reason)}</td></tr>`)
    .join("");
  return `${head}<table><thead><tr><th>Time</th><th>Action</th><th>Resource</th><th>Reason</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
