// The pipeline console: reads the public HTTP API every few seconds and shows views, one view's answers
// over time split into the batch and speed layers' parts, ingest, operations and audits. Admin actions
// send the key kept in this page's session only.
"use strict";

const refreshMs = 3000;
const keyStorage = "pipeline-admin-key";
const state = { views: [], epochSeconds: null, chartView: null, answersChart: null, ingestChart: null, tick: 0 };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, { cache: "no-store", ...options });
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { error: text }; }
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error : `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

// Updates a table's rows in place: a row is kept (and only its changed cells are replaced) as long as its
// item is listed, so a refresh neither moves what a person is reading nor loses a selection in it.
function fill(tbody, items, render, keyOf) {
  const existing = new Map([...tbody.rows].map((tr) => [tr.dataset.key, tr]));
  const rows = items.map((item, index) => {
    const fresh = document.createElement("tr");
    render(fresh, item);
    fresh.dataset.key = keyOf ? String(keyOf(item)) : String(index);
    const old = existing.get(fresh.dataset.key);
    if (!old) return fresh;
    existing.delete(fresh.dataset.key);
    syncRow(old, fresh);
    return old;
  });
  rows.forEach((tr, index) => { if (tbody.rows[index] !== tr) tbody.insertBefore(tr, tbody.rows[index] || null); });
  for (const tr of existing.values()) tr.remove();
}

function syncRow(old, fresh) {
  for (const name of Object.keys(old.dataset)) if (!(name in fresh.dataset)) delete old.dataset[name];
  for (const [name, value] of Object.entries(fresh.dataset)) if (old.dataset[name] !== value) old.dataset[name] = value;
  const oldCells = [...old.cells];
  const freshCells = [...fresh.cells]; // taken first: moving a cell into the old row takes it out of the fresh one
  freshCells.forEach((td, index) => {
    const was = oldCells[index];
    if (!was) old.appendChild(td);
    else if (!was.isEqualNode(td)) old.replaceChild(td, was);
  });
  oldCells.slice(freshCells.length).forEach((td) => td.remove());
}

function showMessage(text, isError) {
  const message = $("message");
  message.textContent = text;
  message.className = isError ? "error" : "";
  message.hidden = false;
}

const number = (n) => (n == null ? "" : Number(n).toLocaleString("en-US", { maximumFractionDigits: 2 }));
const ago = (date) => {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  return seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`;
};
const epochStart = (epoch) => (state.epochSeconds == null || epoch == null ? null : new Date(epoch * state.epochSeconds * 1000));

function parseTimeSpan(text) {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text || "");
  return match ? (Number(match[1] || 0) * 86400) + (Number(match[2]) * 3600) + (Number(match[3]) * 60) + Number(match[4]) : null;
}

// ---- views

function renderViews() {
  const rows = state.views.flatMap((view) => view.versions.map((version) => ({ view, version })));
  fill($("views").tBodies[0], rows, (tr, { view, version }) => {
    tr.dataset.view = view.name;
    tr.dataset.version = version.version;
    cell(tr, view.name);
    cell(tr, version.version);
    cell(tr, version.state);
    cell(tr, `${view.weights}${view.shadow ? `, shadow ${view.shadow}` : ""}`);
    const cutoff = epochStart(version.batchCutoffEpoch);
    cell(tr, cutoff ? `${cutoff.toISOString().replace(".000", "")} (${ago(cutoff)})` : "no batch view");
    cell(tr, version.caughtUp ? "yes" : "no", version.caughtUp ? "clean" : "unclean");
    const actions = cell(tr, "");
    const recompute = document.createElement("button");
    recompute.type = "button";
    recompute.textContent = "Recompute";
    recompute.dataset.action = "recompute";
    recompute.addEventListener("click", () => startOperation("recompute", view.name, version.version));
    actions.appendChild(recompute);
  }, ({ view, version }) => `${view.name}@${version.version}`);

  // Rebuilt only when the list of views changed: a refresh would otherwise close a list a person has open.
  const names = state.views.map((v) => v.name);
  for (const select of [$("chart-view"), $("operation-view")]) {
    if ([...select.options].map((o) => o.value).join() === names.join()) continue;
    const chosen = select.value;
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    select.value = names.includes(chosen) ? chosen : names[0] || "";
  }
}

// ---- one view's answers over time

const dayMs = 86400000;

// The ISO 8601 week of a UTC time as keys write it: the week-numbering year (of its Thursday) and the week.
function isoWeek(ms) {
  const date = new Date(ms);
  const monday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - (((date.getUTCDay() + 6) % 7) * dayMs);
  const year = new Date(monday + (3 * dayMs)).getUTCFullYear();
  const january4 = Date.UTC(year, 0, 4);
  const firstMonday = january4 - (((new Date(january4).getUTCDay() + 6) % 7) * dayMs);
  return `${year}-W${String(1 + Math.round((monday - firstMonday) / (7 * dayMs))).padStart(2, "0")}`;
}

// The keys of the last `count` windows up to now, for the view's window (minute, hour, day, week or month).
function windowKeys(view, count) {
  const versionInfo = view.versions.find((v) => v.version === view.servingVersion) || view.versions[0];
  const window = versionInfo.keyFormat.split("|")[0];
  const now = new Date();
  const starts = [];
  for (let i = count - 1; i >= 0; i--) {
    if (window === "yyyy-MM") starts.push(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    else {
      const step = { "yyyy-MM-ddTHH:mm": 60000, "yyyy-MM-ddTHH": 3600000, "yyyy-Www": 7 * dayMs }[window] || dayMs;
      starts.push(now.getTime() - (i * step));
    }
  }
  const format = (ms) => {
    const iso = new Date(ms).toISOString();
    switch (window) {
      case "yyyy-MM-ddTHH:mm": return iso.slice(0, 16);
      case "yyyy-MM-ddTHH": return iso.slice(0, 13);
      case "yyyy-Www": return isoWeek(ms);
      case "yyyy-MM": return iso.slice(0, 7);
      default: return iso.slice(0, 10);
    }
  };
  const keys = starts.map(format);
  return { from: keys[0], to: keys[keys.length - 1], keys };
}

// One window's answer summed over the dimensions asked (one, when `dimension` is set; else every one), and the
// dimension values and aggregate names seen, for the chart's choices. A view of several aggregates answers
// `values` by name: `aggregate` picks one (else the first).
async function rangeByWindow(name, version, from, to, dimension, aggregate) {
  const end = (window) => encodeURIComponent(dimension ? `${window}|${dimension}` : window);
  const answer = await api(`api/views/${encodeURIComponent(name)}?from=${end(from)}&to=${end(to)}&version=${version}`);
  const windows = new Map();
  windows.dimensions = new Set();
  windows.aggregates = [];
  for (const key of answer.keys) {
    if (key.values && windows.aggregates.length === 0) windows.aggregates = Object.keys(key.values);
    const chosen = key.values ? (aggregate in key.values ? aggregate : Object.keys(key.values)[0]) : null;
    const value = chosen ? key.values[chosen] : key.value;
    const batchValue = chosen ? (key.provenance.batchValues || {})[chosen] : key.provenance.batchValue;
    const [window, ...rest] = key.key.split("|");
    if (rest.length > 0) windows.dimensions.add(rest.join("|"));
    const entry = windows.get(window) || { value: 0, batch: 0, events: 0, covered: true, approximate: false, cutoff: null, speedEpochs: 0, newest: null };
    entry.value += Number(value || 0);
    entry.batch += Number(batchValue || 0);
    entry.events += key.events;
    entry.covered = entry.covered && key.provenance.coveredByBatch;
    entry.approximate = entry.approximate || key.provenance.approximate;
    entry.cutoff = key.provenance.batchCutoffEpoch;
    entry.speedEpochs += key.provenance.speedEpochs;
    entry.newest = Math.max(entry.newest || 0, key.provenance.newestSpeedEpoch || 0) || null;
    windows.set(window, entry);
  }
  return windows;
}

async function renderChart() {
  const view = state.views.find((v) => v.name === $("chart-view").value);
  if (!view || !window.Chart) return;
  const { from, to, keys } = windowKeys(view, Number($("chart-windows").value));
  const dimensionSelect = $("chart-dimension");
  if (dimensionSelect.dataset.view !== view.name) {
    dimensionSelect.dataset.view = view.name;
    dimensionSelect.replaceChildren(new Option("every one", ""));
  }
  const dimension = dimensionSelect.value;
  const aggregateSelect = $("chart-aggregate");
  if (aggregateSelect.dataset.view !== view.name) {
    aggregateSelect.dataset.view = view.name;
    aggregateSelect.replaceChildren();
  }
  const aggregate = aggregateSelect.value;
  const served = await rangeByWindow(view.name, view.servingVersion, from, to, dimension, aggregate);
  const shadow = view.shadow ? await rangeByWindow(view.name, view.shadow, from, to, dimension, aggregate) : null;
  if ([...aggregateSelect.options].map((o) => o.value).join() !== served.aggregates.join()) {
    aggregateSelect.replaceChildren(...served.aggregates.map((a) => new Option(a, a)));
    aggregateSelect.value = served.aggregates.includes(aggregate) ? aggregate : served.aggregates[0] || "";
  }
  aggregateSelect.parentElement.hidden = served.aggregates.length === 0;
  if (!dimension) {
    // The values the chart can be narrowed to: those of the windows shown (at most 200, in order).
    const values = [...served.dimensions].sort().slice(0, 200);
    const listed = [...dimensionSelect.options].slice(1).map((o) => o.value);
    if (listed.join("\u0000") !== values.join("\u0000")) {
      dimensionSelect.replaceChildren(new Option("every one", ""), ...values.map((v) => new Option(v, v)));
    }
  }
  dimensionSelect.parentElement.hidden = served.dimensions.size === 0 && !dimension;
  const rows = keys.map((key) => {
    const entry = served.get(key) || { value: 0, batch: 0, events: 0, covered: false, approximate: false, cutoff: null, speedEpochs: 0, newest: null };
    return { key, ...entry, speed: entry.value - entry.batch, shadow: shadow ? (shadow.get(key) || { value: 0 }).value : null };
  });

  fill($("answers").tBodies[0], rows, (tr, row) => {
    tr.dataset.window = row.key;
    tr.dataset.covered = row.events > 0 && row.covered ? "true" : "false";
    cell(tr, row.key);
    cell(tr, number(row.value));
    cell(tr, number(row.batch));
    cell(tr, number(row.speed));
    cell(tr, row.events === 0 ? "no data" : row.covered ? "yes" : "no");
    cell(tr, row.shadow == null ? "" : number(row.shadow));
  }, (row) => row.key);

  const newest = Math.max(0, ...rows.map((r) => r.newest || 0));
  const newestStart = newest ? epochStart(newest) : null;
  $("chart-freshness").textContent = newestStart ? `newest speed epoch ${newest}, ${ago(newestStart)}` : "";

  const datasets = [
    { label: "batch view", data: rows.map((r) => r.batch), backgroundColor: getComputedStyle(document.documentElement).getPropertyValue("--batch"), stack: "answer" },
    { label: "speed layer", data: rows.map((r) => r.speed), backgroundColor: getComputedStyle(document.documentElement).getPropertyValue("--speed"), stack: "answer" },
  ];
  if (shadow) {
    datasets.push({ type: "line", label: `shadow v${view.shadow}`, data: rows.map((r) => r.shadow), borderColor: "#6b3fa0", pointRadius: 2 });
  }

  const tooltip = {
    callbacks: {
      footer: (items) => {
        const row = rows[items[0].dataIndex];
        return [
          `value ${number(row.value)} from ${number(row.events)} events${row.approximate ? " (approximate)" : ""}`,
          row.cutoff == null ? "no batch view yet" : `batch cutoff epoch ${row.cutoff}${row.covered ? ", covered by batch" : ""}`,
          `${row.speedEpochs} speed epoch(s)`,
        ];
      },
    },
  };
  if (!state.answersChart) {
    state.answersChart = new Chart($("answers-chart"), {
      type: "bar",
      data: { labels: keys, datasets },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { tooltip } },
    });
  } else {
    state.answersChart.data.labels = keys;
    state.answersChart.data.datasets = datasets;
    state.answersChart.options.plugins.tooltip = tooltip;
    state.answersChart.update();
  }
}

// ---- ingest

async function renderIngest() {
  const ingest = await api("api/ingest");
  state.epochSeconds = parseTimeSpan(ingest.epochLength);
  const buckets = ingest.rates.buckets;
  const recent = buckets.slice(-6);
  const perSecond = (field) => recent.reduce((sum, b) => sum + b[field], 0) / (recent.length * ingest.rates.bucketSeconds);
  const sealed = ingest.sealedBefore ? new Date(ingest.sealedBefore) : null;
  $("ingest-summary").textContent =
    `last minute: ${number(perSecond("accepted"))} events/s accepted, ${number(perSecond("quarantined"))} quarantined; ` +
    `epochs of ${ingest.epochLength}; sealed before ${sealed ? `${sealed.toISOString()} (${ago(sealed)})` : "nothing yet"}`;

  fill($("partitions").tBodies[0], ingest.partitions, (tr, p) => {
    cell(tr, p.partition);
    cell(tr, p.lastSequence < 0 ? "nothing yet" : number(p.lastSequence));
    cell(tr, p.lastEnqueuedSequence < 0 ? "empty" : number(p.lastEnqueuedSequence));
    cell(tr, p.watermark ? new Date(p.watermark).toISOString() : "");
    cell(tr, p.eventsBehind > 0 ? `${number(p.eventsBehind)} events` : p.secondsBehind == null ? "" : `${number(p.secondsBehind)} s`);
    cell(tr, p.queued == null ? "n/a" : number(p.queued));
    cell(tr, p.sealedThrough ? new Date(p.sealedThrough).toISOString() : "unsealed");
  }, (p) => p.partition);
  fill($("reasons").tBodies[0], ingest.rates.quarantineReasons, (tr, r) => {
    cell(tr, r.reason);
    cell(tr, number(r.count));
    cell(tr, ago(new Date(r.lastSeen)));
  }, (r) => r.reason);

  if (!window.Chart) return;
  const labels = buckets.map((b) => new Date(b.start).toISOString().slice(11, 19));
  const series = (field) => buckets.map((b) => b[field] / ingest.rates.bucketSeconds);
  if (!state.ingestChart) {
    state.ingestChart = new Chart($("ingest-chart"), {
      type: "line",
      data: { labels, datasets: [
        { label: "accepted/s", data: series("accepted"), borderColor: "#2f6db5", pointRadius: 0 },
        { label: "quarantined/s", data: series("quarantined"), borderColor: "#b3261e", pointRadius: 0 },
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  } else {
    state.ingestChart.data.labels = labels;
    state.ingestChart.data.datasets[0].data = series("accepted");
    state.ingestChart.data.datasets[1].data = series("quarantined");
    state.ingestChart.update();
  }
}

// ---- operations

function progressOf(operation) {
  const status = operation.customStatus;
  if (!status || typeof status !== "object") return { text: operation.state === "completed" ? "done" : "starting", done: operation.state === "completed" ? 1 : 0, of: 1 };
  if (status.chunks) {
    // Records read count every copy in the log; duplicates (redeliveries, producer retries) are removed, not lost.
    const removed = (status.redeliveredRemoved || 0) + (status.retriesRemoved || 0);
    const duplicates = removed > 0 ? `, ${number(removed)} of them duplicates removed (redeliveries and producer retries)` : "";
    const read = operation.state === "running"
      ? `${number(status.eventsRead)} of about ${number(status.records)} records read`
      : `${number(status.eventsRead)} records read`;
    return { text: `${status.phase}: ${status.chunksDone} of ${status.chunks} chunks, ${read}${duplicates}`, done: status.chunksDone, of: status.chunks };
  }
  return { text: status.phase || JSON.stringify(status), done: operation.state === "completed" ? 1 : 0, of: 1 };
}

async function renderOperations() {
  const page = await api("api/operations?pageSize=12");
  fill($("operations").tBodies[0], page.items, (tr, operation) => {
    tr.dataset.operation = operation.instanceId;
    tr.dataset.state = operation.state;
    cell(tr, operation.instanceId);
    cell(tr, operation.state + (operation.error ? `: ${operation.error}` : ""), `state-${operation.state}`);
    const progress = progressOf(operation);
    const td = cell(tr, "");
    const bar = document.createElement("progress");
    bar.max = Math.max(1, progress.of);
    bar.value = operation.state === "completed" ? bar.max : progress.done;
    td.append(bar, ` ${progress.text}`);
    cell(tr, number(operation.eventsPerSecond));
    cell(tr, operation.estimatedSecondsLeft == null ? "" : `${number(operation.estimatedSecondsLeft)} s`);
    const actions = cell(tr, "");
    if (operation.state === "running") {
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.textContent = "Cancel";
      cancel.addEventListener("click", () => admin(`api/operations/${encodeURIComponent(operation.instanceId)}/cancel`, `cancel ${operation.instanceId}`));
      actions.appendChild(cancel);
    }
  }, (operation) => operation.instanceId);
}

async function admin(path, what) {
  const key = sessionStorage.getItem(keyStorage);
  if (!key) {
    showMessage(`${what}: enter the admin key first (the dev host prints it at start-up and keeps it in .azurite/local-admin-key)`, true);
    return;
  }
  try {
    const body = await api(path, { method: "POST", headers: { "x-functions-key": key } });
    showMessage(`${what}: ${body.operationId ? `operation ${body.operationId} ${body.started ? "started" : "already running"}` : body.state || "done"}`, false);
    await renderOperations();
  } catch (error) {
    const refused = error.status === 401 || error.status === 403;
    showMessage(`${what}: ${refused ? "the admin key was refused" : "failed"} (${error.message})`, true);
  }
}

function startOperation(kind, name, version) {
  return admin(`api/${kind}/${encodeURIComponent(name)}?version=${version}`, `${kind} ${name} v${version}`);
}

// ---- specs: each version's spec, two versions side by side, registering a new one

async function showSpecs() {
  const name = $("spec-view").value;
  const [a, b] = [$("spec-version").value, $("spec-compare").value];
  if (!name || !a) return;
  try {
    const first = await api(`api/views/${encodeURIComponent(name)}/versions/${a}`);
    const second = b && b !== a ? await api(`api/views/${encodeURIComponent(name)}/versions/${b}`) : null;
    const left = JSON.stringify(first.spec, null, 2).split("\n");
    const right = second ? JSON.stringify(second.spec, null, 2).split("\n") : [];
    $("spec-hash").textContent = `${name}@${a} sha256 ${first.hash}, maintained from epoch ${first.registeredEpoch}`
      + (second ? `; beside ${name}@${b} sha256 ${second.hash}` : "");
    const rightSet = new Set(right);
    const leftSet = new Set(left);
    const lines = (target, text, other) => target.replaceChildren(...text.map((line) => {
      const span = document.createElement("span");
      span.textContent = `${line}\n`;
      if (second && !other.has(line)) span.className = "changed";
      return span;
    }));
    lines($("spec-left"), left, rightSet);
    lines($("spec-right"), right, leftSet);
    $("spec-right").hidden = !second;
  } catch (error) {
    showMessage(`spec of ${name}: ${error.message}`, true);
  }
}

function renderSpecChoices() {
  const select = $("spec-view");
  const chosen = select.value;
  const names = state.views.map((v) => v.name);
  if ([...select.options].map((o) => o.value).join() !== names.join()) {
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    select.value = chosen || names[0] || "";
  }
  const view = state.views.find((v) => v.name === select.value);
  const versions = view ? view.versions.map((v) => String(v.version)) : [];
  for (const [id, fallback] of [["spec-version", versions[0]], ["spec-compare", ""]]) {
    const list = $(id);
    const wanted = id === "spec-compare" ? ["", ...versions] : versions;
    if ([...list.options].map((o) => o.value).join() !== wanted.join()) {
      const before = list.value;
      list.replaceChildren(...wanted.map((v) => new Option(v || "(none)", v)));
      list.value = wanted.includes(before) ? before : fallback;
    }
  }
  if (!$("spec-left").textContent && select.value) showSpecs();
}

async function registerSpec(event) {
  event.preventDefault();
  const key = sessionStorage.getItem(keyStorage);
  const problems = $("register-problems");
  problems.replaceChildren();
  if (!key) {
    showMessage("register: enter the admin key first", true);
    return;
  }
  let spec;
  try {
    spec = JSON.parse($("register-spec").value);
  } catch (error) {
    showMessage(`register: the spec is not JSON (${error.message})`, true);
    return;
  }
  const target = `api/views/${encodeURIComponent(spec.name)}/versions/${encodeURIComponent(spec.version)}`;
  const response = await fetch(target, { method: "PUT", headers: { "x-functions-key": key, "content-type": "application/json" }, body: $("register-spec").value });
  const body = await response.json().catch(() => ({}));
  if (response.ok) {
    showMessage(`register: ${response.status === 201 ? "created" : "unchanged"} ${spec.name}@${spec.version}, maintained by the speed layer from epoch ${body.registeredEpoch}; replay it to catch up`, false);
    return;
  }
  showMessage(`register ${spec.name}@${spec.version}: refused (${response.status})`, true);
  problems.replaceChildren(...(body.problems || [body.error]).map((problem) => {
    const item = document.createElement("li");
    item.textContent = problem;
    return item;
  }));
}

// ---- audits

async function renderAudits() {
  const blocks = [];
  for (const view of state.views) {
    const reports = await api(`api/audits/${encodeURIComponent(view.name)}?max=2`);
    for (const report of reports) {
      const block = document.createElement("div");
      block.className = "audit";
      const title = document.createElement("div");
      title.className = report.clean ? "clean" : "unclean";
      title.textContent = `${report.view} v${report.version}: ${report.clean ? "clean" : "NOT clean"}, ${number(report.keysChecked)} keys, ${number(report.eventsRead)} events read, cutoff ${report.cutoff ?? "none"}, ${ago(new Date(report.finishedAt))}`;
      block.appendChild(title);
      if (report.mismatches.length > 0 || report.problem) {
        const list = document.createElement("ul");
        for (const m of report.mismatches.slice(0, 5)) {
          const item = document.createElement("li");
          item.textContent = `${m.key} (${m.kind}): the log says ${m.fromLog}, found ${m.found}`;
          list.appendChild(item);
        }
        if (report.problem) {
          const item = document.createElement("li");
          item.textContent = report.problem;
          list.appendChild(item);
        }
        block.appendChild(list);
      }
      blocks.push(block);
    }
  }
  if (blocks.length === 0) {
    const none = document.createElement("p");
    none.className = "muted";
    none.textContent = "no audits yet";
    blocks.push(none);
  }
  $("audits").replaceChildren(...blocks);
}

// ---- refresh loop

async function refresh() {
  try {
    const health = await api("health");
    $("health").textContent = `${health.status}; ${health.views} views; storage: ${health.storage ? `${health.storage.kind} (${health.storage.persistent ? "kept" : "not kept"})` : "?"}`;
    state.views = await api("api/views");
    await renderIngest();
    renderViews();
    renderSpecChoices();
    await Promise.all([renderChart(), renderOperations(), state.tick % 5 === 0 ? renderAudits() : Promise.resolve()]);
    $("refreshed").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $("health").textContent = `not answering: ${error.message}`;
  } finally {
    state.tick++;
    setTimeout(refresh, refreshMs);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const known = sessionStorage.getItem(keyStorage);
  $("key-state").textContent = known ? "key set for this session" : "";
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(keyStorage, $("admin-key").value.trim());
    $("admin-key").value = "";
    $("key-state").textContent = "key set for this session";
  });
  $("chart-view").addEventListener("change", () => renderChart());
  $("spec-view").addEventListener("change", () => { renderSpecChoices(); showSpecs(); });
  $("spec-version").addEventListener("change", () => showSpecs());
  $("spec-compare").addEventListener("change", () => showSpecs());
  $("register-form").addEventListener("submit", registerSpec);
  $("chart-windows").addEventListener("change", () => renderChart());
  $("chart-dimension").addEventListener("change", () => renderChart());
  $("chart-aggregate").addEventListener("change", () => renderChart());
  $("start-recompute").addEventListener("click", () => startOperation("recompute", $("operation-view").value, $("operation-version").value));
  $("start-replay").addEventListener("click", () => startOperation("replay", $("operation-view").value, $("operation-version").value));
  refresh();
});
