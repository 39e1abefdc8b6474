// spacehub's own script: progressive enhancement only. Every page reads and every form posts without
// it; with it, a Space's or a job's stage and logs follow live (server-sent events from the hub's
// JSON API, the same streams the clients read), code is highlighted, and typed confirmations are
// checked early.
// Served from the hub itself (the Content-Security-Policy allows no inline script).

// Stage badge and the app frame of a Space page: <section id="space-stage" data-events="...">.
function followStage(root) {
  const badge = root.querySelector("[data-stage]");
  const message = root.querySelector("[data-stage-message]");
  const hardware = root.querySelector("[data-hardware]");
  const frame = document.getElementById("app-frame");
  const waiting = document.getElementById("app-waiting");
  let last = badge ? badge.dataset.stage : "";
  // The version of the app the frame shows (servingSince: when it started serving). A restart
  // quicker than the stream's poll reads RUNNING before and after; only this tells it happened.
  let shown = frame ? frame.dataset.servingSince || "" : "";
  const source = new EventSource(root.dataset.events);
  source.addEventListener("runtime", (ev) => {
    const rt = JSON.parse(ev.data);
    if (badge) {
      badge.textContent = rt.stage;
      badge.dataset.stage = rt.stage;
      badge.className = `badge stage stage-${rt.stage}`;
    }
    if (message) message.textContent = rt.errorMessage || rt.message || "";
    if (hardware && rt.hardware) {
      hardware.textContent = rt.hardware.current || "none yet";
      if (rt.hardware.requested && rt.hardware.requested !== rt.hardware.current) {
        hardware.textContent += ` (requested: ${rt.hardware.requested})`;
      }
    }
    root.dataset.stage = rt.stage;
    const since = rt.servingSince || "";
    if (frame && rt.stage === "RUNNING" && (last !== "RUNNING" || since !== shown)) {
      frame.hidden = false;
      if (waiting) waiting.hidden = true;
      frame.src = frame.dataset.src;
    }
    if (rt.stage === "RUNNING") shown = since;
    last = rt.stage;
  });
  // The hub ends the stream on shutdown; EventSource reconnects by itself.
}

// A job's stage, message, exit code and times: <header id="job-stage" data-events="...">, fed by
// /api/jobs/{ns}/{id}/events (JobInfo once, then on every change; it ends once the job has).
const FINAL_JOB_STAGES = ["COMPLETED", "ERROR", "CANCELED", "DELETED"];
// 65 -> "1m 5s", as the page renders durations (web/job_view.h DurationText).
function duration(secs) {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h ` : ""}${h > 0 || m > 0 ? `${m}m ` : ""}${s % 60}s`;
}
function followJob(root) {
  const badge = root.querySelector("[data-stage]");
  const message = root.querySelector("[data-job-message]");
  const cancel = document.getElementById("cancel-form");
  const field = (name) => document.querySelector(`[data-job-field=${name}]`);
  const setTime = (name, iso) => {
    const el = field(name);
    if (!el || !iso) return;
    const time = document.createElement("time");
    time.dateTime = iso;
    time.textContent = iso;
    el.replaceChildren(time);
  };
  const source = new EventSource(root.dataset.events);
  source.onmessage = (ev) => {
    const job = JSON.parse(ev.data);
    const stage = job.status?.stage || "";
    if (badge) {
      badge.textContent = stage;
      badge.dataset.stage = stage;
      badge.className = `badge stage stage-${stage}`;
    }
    root.dataset.stage = stage;
    if (message) message.textContent = job.status?.message || "";
    const exit = field("exitCode");
    if (exit && job.status?.exitCode !== undefined) exit.textContent = String(job.status.exitCode);
    setTime("startedAt", job.startedAt);
    setTime("finishedAt", job.finishedAt);
    const durations = field("durations");
    const d = job.durations || {};
    if (durations && d.totalSecs !== undefined) {
      const parts = [`waited ${duration(d.schedulingSecs ?? 0)}`];
      if (d.runningSecs !== undefined) parts.push(`ran ${duration(d.runningSecs)}`);
      durations.textContent = `${parts.join(", ")}, ${duration(d.totalSecs)} in all`;
    }
    if (FINAL_JOB_STAGES.includes(stage)) {
      if (cancel) cancel.hidden = true;
      source.close(); // the stream ends here; EventSource would reconnect and replay it
    }
  };
}

// A live log: <pre id="log-view" data-src="..."> with a follow switch. data-replay="whole": the
// stream replays the lines the page was rendered with, so its first line replaces them.
function followLog(view) {
  const follow = document.getElementById("log-follow");
  const status = document.getElementById("log-status");
  let fresh = view.dataset.replay === "whole";
  let paused = [];
  const append = (text) => {
    const line = document.createElement("span");
    line.textContent = text + "\n";
    view.appendChild(line);
  };
  const source = new EventSource(view.dataset.src);
  source.onmessage = (ev) => {
    const { data } = JSON.parse(ev.data);
    if (fresh) {
      view.replaceChildren();
      fresh = false;
    }
    if (follow && !follow.checked) {
      paused.push(data);
      if (status) status.textContent = `${paused.length} new line(s) while paused`;
      return;
    }
    append(data);
    view.scrollTop = view.scrollHeight;
  };
  source.onerror = () => {
    if (status) status.textContent = view.dataset.endText || "stream ended";
    source.close();
  };
  if (follow) {
    follow.addEventListener("change", () => {
      if (!follow.checked) return;
      paused.forEach(append);
      paused = [];
      if (status) status.textContent = "";
      view.scrollTop = view.scrollHeight;
    });
  }
}

// Forms that ask to type a name before a destructive action: the button stays off until it matches.
function guardConfirm(form) {
  const input = form.querySelector("input[name=confirm]");
  const button = form.querySelector("button[type=submit]");
  if (!input || !button) return;
  const check = () => {
    button.disabled = input.value !== form.dataset.confirm;
  };
  input.addEventListener("input", check);
  check();
}

document.querySelectorAll("#space-stage[data-events]").forEach(followStage);
document.querySelectorAll("#job-stage[data-events]").forEach(followJob);
document.querySelectorAll("#log-view[data-src]").forEach(followLog);
document.querySelectorAll("form[data-confirm]").forEach(guardConfirm);
if (window.hljs) {
  document.querySelectorAll("pre code[class*=language-]").forEach((el) => window.hljs.highlightElement(el));
}
