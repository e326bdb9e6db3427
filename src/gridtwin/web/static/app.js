// gridtwin dashboard: plain JS, no libraries. Data from /dashboard/api (see web/guard.py).
"use strict";

const API = "/dashboard/api";
const TOKEN_KEY = "gridtwin-admin-token";
const LIVE_MS = 3000;
const SERIES = [
  ["solar", "Solar", "#f2b705"], ["home", "Home", "#3a7bd5"],
  ["grid_import", "Grid import", "#8c8c8c"], ["grid_export", "Grid export", "#2ca58d"],
  ["battery_charge", "Battery charge", "#7b4fd6"], ["battery_discharge", "Battery discharge", "#c04f9b"],
];
const WC_STATES = {1: "charging", 2: "not connected", 4: "connected", 5: "scheduled", 7: "fault"};
const SVG = "http://www.w3.org/2000/svg";

const state = { site: null, period: "day", tariff: null, timer: null, settings: null };
const $ = (id) => document.getElementById(id);

class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.error_description || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, body) {
  const headers = { "X-Gridtwin-Dashboard": "1", "Accept": "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = `Bearer ${token}`;
  const init = { headers, cache: "no-store" };
  if (body !== undefined) {
    init.method = "POST";
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const reply = await fetch(API + path, init);
  const data = await reply.json().catch(() => null);
  if (!reply.ok) throw new ApiError(reply.status, data);
  return data;
}

function say(text, ok = true) {
  const el = $("status");
  el.textContent = text;
  el.className = ok ? "ok" : "error";
}

function problem(err) {
  if (err.status === 401) { showLogin(); return; }
  const details = err.body && err.body.messages
    ? Object.entries(err.body.messages).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ")
    : "";
  say(`Refused: ${err.message}${details && details !== err.message ? ` (${details})` : ""}`, false);
}

function watts(w) {
  const a = Math.abs(w);
  return a < 1000 ? `${a.toFixed(0)} W` : `${(a / 1000).toFixed(2)} kW`;
}

function direction(w, pos, neg) { return w > 0 ? pos : w < 0 ? neg : "idle"; }

function showLogin() {
  $("login").hidden = false;
  $("main").hidden = true;
  say("Admin token needed", false);
}

// ---- live power flow -------------------------------------------------------------
function clockText(clock) {
  if (clock.mode === "scaled") return `scaled × ${Number(clock.rate.toFixed(2))}`;
  return clock.mode === "realtime" ? "real time" : clock.mode;
}

function renderOutage(d) {
  const off = d.grid_down || d.islanded;
  const banner = $("outage-banner");
  banner.hidden = !off;
  banner.textContent = !off ? "" : d.grid_down
    ? "Grid outage: the site is off the grid" + (d.has_battery ? ", running on its battery" : "")
    : "Off grid: the site is islanded on purpose";
  document.body.classList.toggle("outage", off);
  document.querySelector(".tile.grid").classList.toggle("down", off);
}

function renderLive(d) {
  $("sim-time").textContent = `simulated time ${d.time.replace("T", " ")}`;
  $("clock-mode").textContent = clockText(d.clock);
  renderOutage(d);
  $("flow-solar").textContent = watts(d.solar_w);
  $("flow-solar-note").textContent = d.solar_w > 0 ? "producing" : "idle";
  $("flow-home").textContent = watts(d.home_w);
  $("flow-battery").textContent = d.has_battery ? watts(d.battery_w) : "none";
  $("flow-battery-note").textContent = d.has_battery
    ? `${direction(d.battery_w, "discharging", "charging")} · ${d.battery_pct.toFixed(1)} %` : "";
  $("battery-gauge").style.width = `${d.battery_pct || 0}%`;
  $("flow-grid").textContent = watts(d.grid_w);
  $("flow-grid-note").textContent = d.grid_down ? "OUTAGE · off grid"
    : d.islanded ? "off grid (islanded)" : direction(d.grid_w, "importing", "exporting");
  const ev = d.wall_connectors.reduce((sum, wc) => sum + wc.power_w, 0);
  $("flow-ev").textContent = d.wall_connectors.length ? watts(ev) : "none";
  $("flow-ev-note").textContent = d.wall_connectors.map((wc) => WC_STATES[wc.state] || wc.state).join(", ");
  $("flow-note").textContent = d.storm_active ? "· Storm Watch active" : "";
  renderSettings(d);
}

// The settings line names each value with the words of its control (option labels).
function optionLabel(selectId, value) {
  const option = [...$(selectId).options].find((o) => o.value === value);
  return option ? option.textContent : value;
}

function resetInputs() {
  const s = state.settings;
  if (!s) return;
  $("reserve-input").value = s.backup_reserve_percent;
  $("mode-input").value = s.default_real_mode;
  $("storm-input").checked = s.storm_mode_enabled;
  $("export-input").value = s.customer_preferred_export_rule;
  $("grid-charging-input").checked = s.grid_charging_allowed;
}

function renderSettings(d) {
  const s = d.settings;
  $("controls").hidden = !s;
  state.settings = s;
  if (!s) return;
  $("setting-reserve").textContent = `${s.backup_reserve_percent} %`;
  $("setting-mode").textContent = optionLabel("mode-input", s.default_real_mode);
  $("setting-storm").textContent = s.storm_mode_enabled ? "on" : "off";
  $("setting-export").textContent = optionLabel("export-input", s.customer_preferred_export_rule);
  $("setting-grid-charging").textContent = s.grid_charging_allowed ? "on" : "off";
  const focus = document.activeElement;
  const editing = focus && focus.closest && focus.closest("#controls form");
  if (!editing) resetInputs();
}

async function refreshLive() {
  if (!state.site) return;
  try { renderLive(await api(`/sites/${state.site}/live`)); } catch (err) { problem(err); }
}

// ---- energy chart (hand-drawn SVG) ---------------------------------------------------
function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const step = Math.pow(10, Math.floor(Math.log10(value)));
  return [1, 2, 2.5, 5, 10].map((m) => m * step).find((m) => m >= value);
}

function renderChart(data) {
  const box = $("energy-chart");
  box.replaceChildren();
  const rows = data.rows;
  const W = 720, H = 260, left = 44, bottom = 28, top = 10;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
                         "aria-label": `Energy per ${data.period} bucket` });
  const max = niceMax(Math.max(0, ...rows.flatMap((r) => SERIES.map(([k]) => r[k] / 1000))));
  const plotH = H - top - bottom, plotW = W - left - 8;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    svg.append(el("line", { x1: left, x2: W - 8, y1: y, y2: y, stroke: "#e5e7eb" }));
    svg.append(el("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 10,
                            fill: "#6b7280" }, String(Number((max * i / 4).toFixed(2)))));
  }
  svg.append(el("text", { x: 4, y: top + 8, "font-size": 10, fill: "#6b7280" }, "kWh"));
  const slot = plotW / Math.max(rows.length, 1);
  const bar = (slot * 0.8) / SERIES.length;
  const every = Math.ceil(rows.length / 16);
  rows.forEach((r, i) => {
    SERIES.forEach(([key, , colour], j) => {
      const h = (plotH * r[key]) / 1000 / max;
      svg.append(el("rect", { x: left + i * slot + slot * 0.1 + j * bar, y: top + plotH - h,
                              width: Math.max(bar - 0.5, 0.5), height: h, fill: colour }));
    });
    if (i % every === 0) {
      svg.append(el("text", { x: left + i * slot + slot / 2, y: H - 10, "text-anchor": "middle",
                              "font-size": 10, fill: "#6b7280" }, r.label));
    }
  });
  if (!rows.length) {
    svg.append(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#6b7280" },
                  "no energy recorded in this period yet"));
  }
  box.append(svg);
}

async function refreshEnergy() {
  if (!state.site) return;
  try { renderChart(await api(`/sites/${state.site}/energy?period=${state.period}`)); }
  catch (err) { problem(err); }
}

function renderLegend() {
  $("energy-legend").replaceChildren(...SERIES.map(([, label, colour]) => {
    const span = document.createElement("span");
    span.style.setProperty("--c", colour);
    span.textContent = label;
    return span;
  }));
}

// ---- tariff grid -----------------------------------------------------------------------
function priceColour(price, lo, hi) {
  const t = hi > lo ? (price - lo) / (hi - lo) : 0;
  const hue = 130 - 130 * t;  // green (cheap) to red (expensive)
  return `hsl(${hue}, 65%, 82%)`;
}

function renderTariffSeason() {
  const grid = $("tariff-grid");
  const data = state.tariff;
  if (!data) { grid.textContent = "No tariff set for this site."; return; }
  const season = data.seasons[Number($("season-select").value) || 0];
  const prices = season.rows.flatMap((r) => r.cells.map((c) => c.price));
  const lo = Math.min(...prices), hi = Math.max(...prices);
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  head.append(...["", ...data.weekdays].map((d) => Object.assign(document.createElement("th"), { textContent: d })));
  const body = table.createTBody();
  for (const r of season.rows) {
    const tr = body.insertRow();
    tr.append(Object.assign(document.createElement("th"), { textContent: r.hour }));
    for (const c of r.cells) {
      const td = tr.insertCell();
      td.textContent = c.price.toFixed(3);
      td.title = `${c.label}: ${c.price} ${data.currency}/kWh`;
      td.style.background = priceColour(c.price, lo, hi);
    }
  }
  grid.replaceChildren(table);
}

async function refreshTariff() {
  try {
    state.tariff = await api(`/sites/${state.site}/tariff`);
  } catch (err) { problem(err); return; }
  const select = $("season-select");
  const data = state.tariff;
  $("tariff-name").textContent = data ? `· ${data.name} (${data.currency}/kWh, weekday × hour)` : "";
  select.hidden = !data || data.seasons.length < 2;
  select.replaceChildren(...(data ? data.seasons : []).map((s, i) =>
    Object.assign(document.createElement("option"), { value: i, textContent: s.name })));
  if (data) select.value = String(data.current_season);
  renderTariffSeason();
}

// ---- actions ------------------------------------------------------------------------------
// A refused value does not stay in its input: settings go back to the site's values,
// the emulator inputs to their last accepted value (defaultValue).
async function act(path, body, done, input) {
  try {
    await api(path, body);
    if (input) input.defaultValue = input.value;
    say(done);
    await refreshLive();
  } catch (err) {
    if (input) input.value = input.defaultValue;
    else resetInputs();
    problem(err);
  }
}

function command(name, body, done) {
  return act(`/sites/${state.site}/commands/${name}`, body, done);
}

function onSubmit(id, handler) {
  $(id).addEventListener("submit", (event) => { event.preventDefault(); handler(); });
}

function wireControls() {
  onSubmit("reserve-form", () => {
    const pct = Number($("reserve-input").value);
    command("backup", { backup_reserve_percent: pct }, `Backup reserve set to ${pct} %`);
  });
  onSubmit("mode-form", () => command("operation", { default_real_mode: $("mode-input").value },
                                      "Mode updated"));
  onSubmit("storm-form", () => command("storm_mode", { enabled: $("storm-input").checked },
                                       "Storm Watch updated"));
  onSubmit("grid-form", () => command("grid_import_export", {
    customer_preferred_export_rule: $("export-input").value,
    disallow_charge_from_grid_with_solar_installed: !$("grid-charging-input").checked,
  }, "Grid rules updated"));
  onSubmit("outage-form", () => {
    const minutes = Number($("outage-input").value);
    act(`/sites/${state.site}/outage`, { duration_s: Math.round(minutes * 60) },
        `Grid outage for ${minutes} min`, $("outage-input"));
  });
  onSubmit("advance-form", async () => {
    const hours = Number($("advance-input").value);
    await act("/clock/advance", { seconds: Math.round(hours * 3600) }, `Advanced ${hours} h`,
              $("advance-input"));
    await refreshEnergy();
  });
  document.querySelectorAll("#period-tabs button").forEach((button) => {
    button.addEventListener("click", () => {
      document.querySelectorAll("#period-tabs button").forEach((b) => b.classList.remove("active"));
      button.classList.add("active");
      state.period = button.dataset.period;
      refreshEnergy();
    });
  });
  $("season-select").addEventListener("change", renderTariffSeason);
  $("site-select").addEventListener("change", () => selectSite($("site-select").value));
  onSubmit("login-form", () => {
    sessionStorage.setItem(TOKEN_KEY, $("login-token").value.trim());
    start();
  });
}

async function selectSite(id) {
  state.site = id;
  await Promise.all([refreshLive(), refreshEnergy(), refreshTariff()]);
}

async function start() {
  let session;
  try { session = await api("/session"); } catch (err) { problem(err); return; }
  $("login").hidden = true;
  $("main").hidden = false;
  $("emulator").hidden = !session.emulator;
  const select = $("site-select");
  select.replaceChildren(...session.sites.map((s) => Object.assign(
    document.createElement("option"), { value: s.id, textContent: `${s.name} (${s.type}, ${s.id})` })));
  if (!session.sites.length) { say("No sites yet", false); return; }
  say("Connected");
  await selectSite(session.sites[0].id);
  clearInterval(state.timer);
  state.timer = setInterval(refreshLive, LIVE_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  renderLegend();
  wireControls();
  start();
});
