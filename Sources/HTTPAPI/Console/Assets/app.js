// Signalbox web console: one ES module, no framework, no build step (docs/console.md).
// The API token lives in sessionStorage only and goes out as the bearer token; every page
// reads the REST API of the server that served it.

const TOKEN_KEY = "signalbox.token";
const main = document.getElementById("main");
// `visit` counts routes: a render whose first request answers after the viewer moved on must not
// overwrite the page it left (or take over its live entries).
const state = { who: null, actions: new Map(), live: null, onEntry: null, visit: 0 };

// ---------- helpers

const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const $ = (sel, root = document) => root.querySelector(sel);
const fmtUTC = (iso) => (iso ? iso.replace(/\.\d+Z$/, "Z").replace("T", " ") : "—");
const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function fmtIn(date, zone, opts = {}) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...opts }).format(date);
}

/** The wall-clock parts of `date` in `zone`. */
function partsIn(date, zone) {
  const out = {};
  for (const p of new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23" }).formatToParts(date)) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return out;
}

/** The instant of local midnight starting day y-m-d in `zone` (the zone's offset that day). */
function zonedMidnight(y, m, d, zone) {
  const guess = Date.UTC(y, m - 1, d);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const p = partsIn(new Date(t), zone);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    t = guess - (wall - t);
  }
  return new Date(t);
}

function outcomeBadge(outcome) {
  return outcome ? `<span class="badge o-${esc(outcome)}">${esc(outcome)}</span>` : '<span class="muted">never ran</span>';
}

function toast(text, bad = false) {
  const el = document.createElement("div");
  el.className = "toast" + (bad ? " bad" : "");
  el.textContent = text;
  $("#toasts").append(el);
  setTimeout(() => el.remove(), 6000);
}

class APIError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, { method = "GET", body, headers = {} } = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== "/whoami") signOut("Your token was refused; sign in again.");
    throw new APIError(response.status, json);
  }
  return { json, headers: response.headers };
}

// ---------- sign-in

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.who = null;
  stopLive();
  location.hash = "#/signin";
  renderSignIn(message);
}

function renderSignIn(message) {
  for (const id of ["nav", "signout", "live"]) $("#" + id).hidden = true;
  $("#who").textContent = "";
  main.innerHTML = `<form class="signin" id="signin">
    <h1>Sign in</h1>
    <p class="muted">Paste an API token (<code>signalbox token create</code>). It is kept in this browser tab only.</p>
    <label for="token">API token<input id="token" name="token" type="password" autocomplete="off" required></label>
    <button class="primary" type="submit">Sign in</button>
    <p id="signin-error" class="error" role="alert">${esc(message || "")}</p></form>`;
  $("#token").focus();
  $("#signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("#token").value.trim());
    try {
      await loadWho();
      if (location.hash === "#/actions") route();
      else location.hash = "#/actions";
    } catch (error) {
      sessionStorage.removeItem(TOKEN_KEY);
      $("#signin-error").textContent = error.status === 401 ? "Sign-in failed: the token was refused." : `Sign-in failed: ${error.message}`;
    }
  });
}

async function loadWho() {
  const { json } = await api("/whoami");
  state.who = json;
  $("#who").textContent = `Tenant ${json.tenantId} · ${json.role}`;
  for (const id of ["nav", "signout", "live"]) $("#" + id).hidden = false;
  startLive();
}

// ---------- actions list

const ACTION_STATUSES = ["draft", "active", "paused", "archived"];

async function renderActions(params, who) {
  const status = params.get("status") || "";
  const namespace = params.get("namespace") || "";
  main.innerHTML = `<h1>Actions</h1>
    <form class="filters" id="filters">
      <label for="f-status">Status<select id="f-status" name="status"><option value="">any but archived</option>${ACTION_STATUSES.map((s) => `<option ${s === status ? "selected" : ""}>${s}</option>`).join("")}</select></label>
      <label for="f-ns">Namespace<input id="f-ns" name="namespace" value="${esc(namespace)}" placeholder="all"></label>
      <button type="submit">Filter</button>
    </form>
    <p id="count" class="muted" aria-live="polite">Loading…</p>
    <div class="table-wrap"><table class="rows"><thead><tr><th scope="col">Name</th><th scope="col">Namespace</th><th scope="col">Status</th><th scope="col">Triggers</th><th scope="col">Next run (UTC)</th><th scope="col">Last run (UTC)</th><th scope="col">Success rate</th><th scope="col">Consecutive failures</th><th scope="col">Actions</th></tr></thead>
    <tbody id="rows"></tbody></table></div>
    <p><button type="button" id="more" hidden>Load more</button></p>`;
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if ($("#f-status").value) q.set("status", $("#f-status").value);
    if ($("#f-ns").value.trim()) q.set("namespace", $("#f-ns").value.trim());
    location.hash = "#/actions" + (q.toString() ? "?" + q : "");
  });
  let shown = 0;
  // Held here: a newer render replaces the page, and this one must not write into it.
  const tbody = $("#rows"), count = $("#count"), more = $("#more");
  const load = async (cursor) => {
    const q = new URLSearchParams({ limit: "100" });
    if (status) q.set("status", status);
    if (namespace) q.set("namespace", namespace);
    if (cursor) q.set("cursor", cursor);
    // The first page is asked for beside /whoami (one round trip less); rows need the role.
    const [{ json }] = await Promise.all([api("/automated-actions/summary?" + q), who]);
    if (!tbody.isConnected) return; // another page replaced this one meanwhile
    for (const row of json.items) state.actions.set(row.id, row);
    tbody.insertAdjacentHTML("beforeend", json.items.map(actionRow).join(""));
    shown += json.items.length;
    count.textContent = `${shown} action${shown === 1 ? "" : "s"}${json.nextCursor ? " (more below)" : ""}`;
    more.hidden = !json.nextCursor;
    more.onclick = () => load(json.nextCursor);
  };
  tbody.addEventListener("click", onActionButton);
  state.onEntry = (entry) => {
    const row = state.actions.get(entry.actionId);
    const tr = document.getElementById("a-" + entry.actionId);
    if (!row || !tr) return;
    row.lastRunAt = entry.dateStarted;
    row.lastOutcome = entry.outcome;
    tr.querySelector('[data-label="Last run (UTC)"]').innerHTML = lastRunCell(row);
  };
  await load();
  performance.mark("signalbox-actions-rendered");
}

function lastRunCell(a) {
  return a.lastRunAt ? `${esc(fmtUTC(a.lastRunAt))} ${outcomeBadge(a.lastOutcome)}` : outcomeBadge(null);
}

function actionRow(a) {
  const rate = a.successRate == null ? '<span class="muted">—</span>' : `${Math.round(a.successRate * 100)}% <span class="muted">(${a.successes}/${a.successes + a.failures})</span>`;
  const toggle = a.status === "paused" ? "resume" : a.status === "active" ? "pause" : null;
  return `<tr id="a-${esc(a.id)}">
    <td data-label="Name"><a href="#/actions/${esc(a.id)}">${esc(a.name)}</a></td>
    <td data-label="Namespace">${esc(a.namespace)}</td>
    <td data-label="Status"><span class="badge s-${esc(a.status)}">${esc(a.status)}</span>${a.pausedReason ? ` <span class="muted">${esc(a.pausedReason)}</span>` : ""}</td>
    <td data-label="Triggers">${a.triggerKinds.length ? esc(a.triggerKinds.join(", ")) : '<span class="muted">manual only</span>'}</td>
    <td data-label="Next run (UTC)">${esc(fmtUTC(a.nextRunAt))}</td>
    <td data-label="Last run (UTC)">${lastRunCell(a)}</td>
    <td data-label="Success rate" class="num">${rate}</td>
    <td data-label="Consecutive failures" class="num">${a.consecutiveFailures}</td>
    <td data-label="Actions">${actionButtons(a, toggle)}</td></tr>`;
}

function actionButtons(a, toggle) {
  // Members and admins may both pause, resume and run (docs/access.md); archived actions are read-only.
  const allowed = state.who && (state.who.role === "member" || state.who.role === "admin") && a.status !== "archived";
  const label = esc(a.name);
  return (toggle ? `<button type="button" data-op="${toggle}" data-id="${esc(a.id)}" aria-label="${toggle === "pause" ? "Pause" : "Resume"} ${label}" ${allowed ? "" : "disabled"}>${toggle === "pause" ? "Pause" : "Resume"}</button> ` : "") +
    `<button type="button" data-op="trigger" data-id="${esc(a.id)}" aria-label="Run ${label} now" ${allowed ? "" : "disabled"}>Run now</button>`;
}

async function onActionButton(event) {
  const button = event.target.closest("button[data-op]");
  if (!button) return;
  const { op, id } = button.dataset;
  const name = state.actions.get(id)?.name || id;
  button.disabled = true;
  try {
    const { json } = await api(`/automated-actions/by-id/${id}/${op}`, { method: "POST" });
    if (op === "trigger") {
      toast(`Started ${name}: ${json.processIds.length} process${json.processIds.length === 1 ? "" : "es"} (event ${json.eventId}).`);
    } else {
      toast(`${op === "pause" ? "Paused" : "Resumed"} ${name}; it is now ${json.status}.`);
      const row = state.actions.get(id);
      if (row) {
        row.status = json.status;
        row.pausedReason = json.pausedReason;
        const tr = document.getElementById("a-" + id);
        if (tr) tr.outerHTML = actionRow(row);
      }
      if (location.hash.startsWith("#/actions/")) route();
    }
  } catch (error) {
    toast(`Could not ${op === "trigger" ? "run" : op} ${name}: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

// ---------- action detail

async function renderAction(id, params, isCurrent) {
  const { json: a } = await api(`/automated-actions/by-id/${encodeURIComponent(id)}`);
  if (!isCurrent()) return;
  state.actions.set(a.id, { ...state.actions.get(a.id), ...a });
  const toggle = a.status === "paused" ? "resume" : a.status === "active" ? "pause" : null;
  main.innerHTML = `<p><a href="#/actions">← Actions</a></p>
    <h1>${esc(a.name)} <span class="badge s-${esc(a.status)}" id="status">${esc(a.status)}</span></h1>
    <div class="toolbar" id="buttons">${actionButtons(a, toggle)}</div>
    <dl class="kv"><dt>Namespace</dt><dd>${esc(a.namespace)}</dd><dt>Id</dt><dd><code>${esc(a.id)}</code></dd>
      <dt>Description</dt><dd>${esc(a.description || "—")}</dd><dt>Runs</dt><dd id="runs">${runsText(a)}</dd>
      ${a.pausedReason ? `<dt>Paused because</dt><dd>${esc(a.pausedReason)}</dd>` : ""}</dl>
    <h2>Items</h2><ol>${a.actions.map((item) => `<li>${esc(item.name)} <span class="muted">(${esc(item.config?.$type)})</span></li>`).join("") || "<li class=muted>none</li>"}</ol>
    <h2>Schedules</h2><div id="schedules">${a.schedules.length ? "" : '<p class="muted">none</p>'}</div>
    <h2>Message triggers</h2>${a.messageTriggers.length ? `<div class="table-wrap"><table class="rows"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Enabled</th><th scope="col">Filter</th></tr></thead><tbody>${a.messageTriggers.map((t) => `<tr><td data-label="Name">${esc(t.name)}</td><td data-label="Type">${esc(t.triggerType)}</td><td data-label="Enabled">${t.isEnabled ? "yes" : "no"}</td><td data-label="Filter"><pre>${esc(t.eventFilter)}</pre></td></tr>`).join("")}</tbody></table></div>` : '<p class="muted">none</p>'}
    <h2>Webhooks</h2>${(a.webhooks || []).length ? `<ul>${a.webhooks.map((w) => `<li>${esc(w.name)} — <code>POST /hooks/${esc(w.id)}</code> (${w.isEnabled ? "enabled" : "disabled"})</li>`).join("")}</ul><p class="muted">Secrets are never shown here.</p>` : '<p class="muted">none</p>'}
    <h2 id="history-title">History</h2>
    <form class="filters" id="hfilters">
      <label for="h-outcome">Outcome<select id="h-outcome"><option value="">any</option>${["Pending", "Running", "Success", "Failed", "Skipped"].map((o) => `<option ${o === params.get("outcome") ? "selected" : ""}>${o}</option>`).join("")}</select></label>
      <label for="h-trigger">Trigger type<select id="h-trigger"><option value="">any</option>${["Schedule", "Message", "Manual", "Webhook", "Delayed"].map((o) => `<option ${o === params.get("triggerType") ? "selected" : ""}>${o}</option>`).join("")}</select></label>
      <button type="submit">Filter</button>
    </form>
    <div class="table-wrap"><table class="rows"><thead><tr><th scope="col">Started (UTC)</th><th scope="col">Outcome</th><th scope="col">Trigger</th><th scope="col">Item</th><th scope="col">Source event</th><th scope="col">Error</th></tr></thead><tbody id="history"></tbody></table></div>
    <p class="toolbar"><button type="button" id="prev" disabled>Newer</button><button type="button" id="next" disabled>Older</button><span id="hpage" class="muted"></span></p>`;
  $("#buttons").addEventListener("click", onActionButton);
  for (const s of a.schedules) loadOccurrences(a.id, s);

  const filter = new URLSearchParams();
  if (params.get("outcome")) filter.set("outcome", params.get("outcome"));
  if (params.get("triggerType")) filter.set("triggerType", params.get("triggerType"));
  $("#hfilters").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if ($("#h-outcome").value) q.set("outcome", $("#h-outcome").value);
    if ($("#h-trigger").value) q.set("triggerType", $("#h-trigger").value);
    location.hash = `#/actions/${a.id}` + (q.toString() ? "?" + q : "");
  });
  const cursors = [null];
  let pageIndex = 0;
  const historyBody = $("#history"), nextButton = $("#next"), prevButton = $("#prev"), pageLabel = $("#hpage");
  // Entries heard while a page loads (null when none loads): its answer may predate them and
  // must not wipe them out.
  let heardWhileLoading = null;
  const loadPage = async () => {
    heardWhileLoading = [];
    const q = new URLSearchParams(filter);
    q.set("limit", "20");
    if (cursors[pageIndex]) q.set("cursor", cursors[pageIndex]);
    let heard = [];
    const { json, headers } = await api(`/automated-actions/by-id/${a.id}/history?${q}`).finally(() => {
      heard = heardWhileLoading ?? [];
      heardWhileLoading = null;
    });
    if (!historyBody.isConnected) return;
    historyBody.innerHTML = json.map(historyRow).join("") || '<tr id="h-none"><td colspan="6" class="muted">No entries.</td></tr>';
    if (pageIndex === 0) for (const entry of heard) if (!document.getElementById("h-" + entry.id)) showEntry(entry);
    const next = headers.get("X-Next-Cursor");
    cursors[pageIndex + 1] = next;
    nextButton.disabled = !next;
    prevButton.disabled = pageIndex === 0;
    pageLabel.textContent = `Page ${pageIndex + 1}`;
  };
  nextButton.onclick = () => { pageIndex++; loadPage(); };
  prevButton.onclick = () => { pageIndex--; loadPage(); };
  state.onEntry = (entry) => {
    if (entry.actionId !== a.id) return;
    if (entry.outcome === "Success" || entry.outcome === "Failed") {
      // A run ended: the counters (and maybe the status: a pause after failures) moved.
      api(`/automated-actions/by-id/${a.id}`).then(({ json }) => {
        const runs = document.getElementById("runs"), badge = document.getElementById("status");
        if (runs) runs.textContent = runsText(json);
        if (badge) { badge.textContent = json.status; badge.className = `badge s-${json.status}`; }
      }).catch(() => {});
    }
    if (pageIndex !== 0) return;
    if ((filter.get("outcome") && filter.get("outcome") !== entry.outcome) || (filter.get("triggerType") && filter.get("triggerType") !== entry.triggerType)) return;
    heardWhileLoading?.push(entry);
    showEntry(entry);
  };
  const showEntry = (entry) => {
    const existing = document.getElementById("h-" + entry.id);
    if (existing) existing.outerHTML = historyRow(entry);
    else {
      document.getElementById("h-none")?.remove();
      historyBody.insertAdjacentHTML("afterbegin", historyRow(entry));
    }
  };
  await loadPage();
}

function runsText(a) {
  return `${a.totalExecutions} total, ${a.consecutiveFailures} consecutive failures`;
}

function historyRow(e) {
  return `<tr id="h-${esc(e.id)}"><td data-label="Started (UTC)">${esc(fmtUTC(e.dateStarted))}</td>
    <td data-label="Outcome">${outcomeBadge(e.outcome)}${e.attempt > 1 ? ` <span class="muted">attempt ${e.attempt}</span>` : ""}</td>
    <td data-label="Trigger">${esc(e.triggerType)}</td><td data-label="Item" class="num">${e.itemIndex}</td>
    <td data-label="Source event"><code>${esc(e.sourceEventId)}</code></td>
    <td data-label="Error">${e.errorMessage ? `<span class="error">${esc(e.errorMessage)}</span>` : '<span class="muted">—</span>'}</td></tr>`;
}

async function loadOccurrences(actionId, s) {
  const box = document.createElement("div");
  box.innerHTML = `<h3>${esc(s.name)} <span class="muted">${esc(s.cron || s.at || [s.second, s.minute, s.hour, s.dayOfMonth, s.month, s.dayOfWeek].filter((f) => f != null).join(" "))} · ${esc(s.timeZone)} · ${s.isEnabled ? "enabled" : "disabled"}</span></h3><p class="muted">Loading next runs…</p>`;
  $("#schedules").append(box);
  try {
    const { json } = await api(`/automated-actions/by-id/${actionId}/schedules/${s.id}/occurrences?count=5`);
    box.querySelector("p").outerHTML = json.occurrences.length
      ? `<table class="rows"><caption class="muted">Next ${json.occurrences.length} runs</caption><thead><tr><th scope="col">UTC</th><th scope="col">${esc(json.timeZone)}</th></tr></thead><tbody>${json.occurrences.map((o) => `<tr><td data-label="UTC">${esc(o.utc)}</td><td data-label="${esc(json.timeZone)}">${esc(o.local)}</td></tr>`).join("")}</tbody></table>`
      : '<p class="muted">It never fires again.</p>';
  } catch (error) {
    box.querySelector("p").textContent = `Next runs unavailable: ${error.message}`;
  }
}

// ---------- calendar

function zoneOptions(selected) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const list = [...new Set(["UTC", viewerZone(), "Europe/Berlin", ...zones])];
  if (!list.includes(selected)) list.unshift(selected);
  return list.map((z) => `<option ${z === selected ? "selected" : ""}>${esc(z)}</option>`).join("");
}

async function renderCalendar(params) {
  const zone = params.get("tz") || viewerZone();
  const view = params.get("view") === "month" ? "month" : "week";
  const nowParts = partsIn(new Date(), zone);
  const [y, m, d] = (params.get("date") || `${nowParts.year}-${nowParts.month}-${nowParts.day}`).split("-").map(Number);
  // Days as calendar dates (UTC arithmetic on dates only); instants come from zonedMidnight.
  const anchor = new Date(Date.UTC(y, m - 1, d));
  let first, days;
  if (view === "week") {
    first = new Date(anchor.getTime() - ((anchor.getUTCDay() + 6) % 7) * 86400000);
    days = 7;
  } else {
    const start = new Date(Date.UTC(y, m - 1, 1));
    first = new Date(start.getTime() - ((start.getUTCDay() + 6) % 7) * 86400000);
    const end = new Date(Date.UTC(y, m, 1));
    days = Math.ceil((end - first) / 86400000 / 7) * 7;
  }
  const dayList = Array.from({ length: days }, (_, i) => new Date(first.getTime() + i * 86400000));
  const key = (dt) => dt.toISOString().slice(0, 10);
  const last = dayList[days - 1];
  const from = zonedMidnight(first.getUTCFullYear(), first.getUTCMonth() + 1, first.getUTCDate(), zone);
  const until = zonedMidnight(last.getUTCFullYear(), last.getUTCMonth() + 1, last.getUTCDate() + 1, zone);
  const shift = (n) => {
    const t = view === "week" ? new Date(anchor.getTime() + n * 7 * 86400000) : new Date(Date.UTC(y, m - 1 + n, 1));
    return `#/calendar?${new URLSearchParams({ view, tz: zone, date: key(t) })}`;
  };
  main.innerHTML = `<h1>Calendar</h1>
    <form class="filters" id="calform">
      <label for="c-view">View<select id="c-view"><option value="week" ${view === "week" ? "selected" : ""}>Week</option><option value="month" ${view === "month" ? "selected" : ""}>Month</option></select></label>
      <label for="c-tz">Time zone<select id="c-tz">${zoneOptions(zone)}</select></label>
      <label for="c-date">Date<input id="c-date" type="date" value="${key(anchor)}"></label>
      <button type="submit">Show</button>
      <a href="${shift(-1)}">← Previous</a> <a href="${shift(1)}">Next →</a>
    </form>
    <p class="muted" id="calinfo">Runs of active actions from ${esc(fmtIn(from, zone))} to ${esc(fmtIn(until, zone))} (${esc(zone)}).</p>
    <div class="cal ${view}" id="cal" role="list" aria-label="${view === "week" ? "Week" : "Month"} of ${key(anchor)} in ${esc(zone)}"></div>`;
  $("#calform").addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/calendar?${new URLSearchParams({ view: $("#c-view").value, tz: $("#c-tz").value, date: $("#c-date").value || key(anchor) })}`;
  });
  const q = new URLSearchParams({ limit: "1000", from: from.toISOString(), until: until.toISOString() });
  const cal = $("#cal"), info = $("#calinfo");
  const { json: runs } = await api("/automated-actions/upcoming?" + q);
  if (!cal.isConnected) return;
  const byDay = new Map();
  for (const run of runs) {
    const at = new Date(run.scheduledAt);
    const p = partsIn(at, zone);
    const k = `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
    if (!byDay.has(k)) byDay.set(k, []);
    byDay.get(k).push({ time: `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`, run });
  }
  const today = `${nowParts.year}-${String(nowParts.month).padStart(2, "0")}-${String(nowParts.day).padStart(2, "0")}`;
  const heads = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((n) => `<div class="head" aria-hidden="true">${n}</div>`).join("");
  const cells = dayList.map((dt) => {
    const k = key(dt);
    const items = byDay.get(k) || [];
    const out = view === "month" && dt.getUTCMonth() !== m - 1;
    return `<div role="listitem" data-date="${k}" class="${out ? "out" : ""} ${k === today ? "today" : ""}" aria-label="${k}, ${items.length} run${items.length === 1 ? "" : "s"}">
      <strong>${dt.getUTCDate()}</strong>${view === "week" ? ` <span class="muted">${k}</span>` : ""}
      <ul>${items.slice(0, view === "week" ? 50 : 6).map(({ time, run }) => `<li title="${esc(run.namespace)}/${esc(run.actionName)} · ${esc(run.scheduleName)} · ${esc(run.scheduledAt)}"><time datetime="${esc(run.scheduledAt)}">${time}</time> <a href="#/actions/${esc(run.actionId)}">${esc(run.actionName)}</a></li>`).join("")}${items.length > (view === "week" ? 50 : 6) ? `<li class="muted">+${items.length - (view === "week" ? 50 : 6)} more</li>` : ""}</ul></div>`;
  }).join("");
  cal.innerHTML = heads + cells;
  if (runs.length === 1000) info.textContent += " Only the first 1,000 runs are shown.";
}

// ---------- filter tester

const SAMPLE_EVENT = {
  type: "AppProcessUpdated", id: "sample-1", tenantId: "default", namespace: "demo",
  item: { processId: "p-1", status: "Completed", app: { id: "a1b2c3d4-5678-90ab-cdef-1234567890ab", name: "billing" } },
};

function renderFilters() {
  const recent = sessionStorage.getItem("signalbox.lastEvent");
  main.innerHTML = `<h1>Filter tester</h1>
    <p class="muted">Checks a message-trigger filter against an event with <code>POST /filters/test</code>; nothing is stored or run.</p>
    <div class="grid2">
      <div><label for="event">Event (JSON)<textarea id="event" rows="16" spellcheck="false"></textarea></label>
        <p class="toolbar"><label for="pick">Pick an event<select id="pick"><option value="">—</option><option value="sample">Sample AppProcessUpdated</option>${recent ? '<option value="recent">Last event tested in this tab</option>' : ""}</select></label></p>
        <p id="event-error" class="error" role="alert"></p></div>
      <div><label for="filter">Filter<textarea id="filter" rows="6" spellcheck="false">$.item.status == 'Failed'</textarea></label>
        <p id="filter-error" class="error" role="alert"></p>
        <p id="verdict" class="verdict" aria-live="polite"></p>
        <pre id="explain" aria-label="Explanation per comparison"></pre></div>
    </div>`;
  $("#event").value = recent || JSON.stringify(SAMPLE_EVENT, null, 2);
  // The tenant's last events read from the bus (kept in serve's memory, newest first).
  const received = [];
  api("/events/recent").then(({ json }) => {
    received.push(...json);
    const pick = $("#pick");
    if (pick) pick.insertAdjacentHTML("beforeend", json.map((e, i) => `<option value="bus-${i}">Received ${esc(fmtUTC(e.receivedAt))}: ${esc(e.triggerType || "event")} ${esc(e.id)}</option>`).join(""));
  }).catch(() => {});
  $("#pick").addEventListener("change", () => {
    const choice = $("#pick").value;
    if (choice === "sample") $("#event").value = JSON.stringify(SAMPLE_EVENT, null, 2);
    if (choice === "recent") $("#event").value = sessionStorage.getItem("signalbox.lastEvent") || "";
    if (choice.startsWith("bus-")) $("#event").value = JSON.stringify(received[Number(choice.slice(4))].body, null, 2);
    test();
  });
  let timer = 0;
  let generation = 0;
  const [eventBox, filterBox, eventError, filterError, verdict, explain] = ["#event", "#filter", "#event-error", "#filter-error", "#verdict", "#explain"].map((id) => $(id));
  const test = async () => {
    if (!verdict.isConnected) return; // another page replaced this one
    const mine = ++generation;
    eventError.textContent = "";
    filterError.textContent = "";
    let event;
    try {
      event = JSON.parse(eventBox.value);
    } catch (error) {
      eventError.textContent = `The event is not valid JSON: ${error.message}`;
      verdict.textContent = "";
      return;
    }
    try {
      const { json } = await api("/filters/test", { method: "POST", body: { filter: filterBox.value, events: [event] } });
      if (mine !== generation || !verdict.isConnected) return;
      const result = json.results[0];
      sessionStorage.setItem("signalbox.lastEvent", eventBox.value);
      verdict.textContent = result.matched ? "✓ Matched" : "✗ Not matched";
      verdict.className = "verdict " + (result.matched ? "yes" : "no");
      explain.textContent = result.explanation + (json.warnings?.length ? "\n\nWarnings:\n" + json.warnings.map((w) => `- ${w.message}`).join("\n") : "");
    } catch (error) {
      if (mine !== generation || !verdict.isConnected) return;
      const position = error.body?.error?.position;
      filterError.textContent = position ? `Line ${position.line}, column ${position.column}: ${error.message}` : error.message;
      verdict.textContent = "";
      explain.textContent = "";
    }
  };
  for (const id of ["event", "filter"]) {
    $("#" + id).addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(test, 250);
    });
  }
  test();
}

// ---------- live history (Server-Sent Events over fetch, so the bearer header can be sent)

function setLive(stateName, text) {
  const el = $("#live");
  el.dataset.state = stateName;
  el.textContent = text;
}

function stopLive() {
  state.live?.abort();
  state.live = null;
}

function startLive() {
  if (state.live) return;
  const controller = new AbortController();
  state.live = controller;
  let delay = 1000;
  const connect = async () => {
    setLive("connecting", "Live: connecting…");
    try {
      const response = await fetch("/history/stream", { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` }, signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message", data = "";
          for (const line of frame.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (event === "ready") { setLive("open", "Live: connected"); delay = 1000; }
          else if (event === "history") state.onEntry?.(JSON.parse(data));
          else if (event === "dropped") toast("Some live updates were skipped; reload to see everything.");
        }
      }
      throw new Error("the stream ended");
    } catch (error) {
      if (controller.signal.aborted) return;
      setLive("closed", `Live: disconnected (${error.message}); retrying in ${Math.round(delay / 1000)} s`);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    }
  };
  connect();
}

// ---------- routing

async function route() {
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const visit = ++state.visit;
  const isCurrent = () => visit === state.visit;
  if (!sessionStorage.getItem(TOKEN_KEY)) return renderSignIn();
  const who = state.who ? Promise.resolve(state.who) : loadWho();
  state.onEntry = null;
  for (const link of document.querySelectorAll("#nav a")) {
    if (path.startsWith(link.getAttribute("href").slice(1))) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  try {
    const detail = path.match(/^\/actions\/([0-9a-fA-F-]{36})$/);
    if (detail || path === "/calendar" || path === "/filters") await who;
    if (!isCurrent()) return;
    if (detail) await renderAction(detail[1], params, isCurrent);
    else if (path === "/calendar") await renderCalendar(params);
    else if (path === "/filters") renderFilters();
    else await renderActions(params, who);
    if (isCurrent()) main.focus({ preventScroll: true });
  } catch (error) {
    if (!isCurrent()) return;
    if (!state.who) return signOut(error.status === 401 ? "Your token was refused; sign in again." : error.message);
    if (error.status !== 401) main.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
  }
}

$("#signout").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", route);
route();
