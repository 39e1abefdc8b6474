// spacehub's own script: progressive enhancement only. Every page reads and every form posts without
// it; with it, a Space's stage and logs follow live (server-sent events from the hub's JSON API, the
// same streams the clients read), code is highlighted, and typed confirmations are checked early.
// Served from the hub itself (the Content-Security-Policy allows no inline script).

// Stage badge and the app frame of a Space page: <section id="space-stage" data-events="...">.
function followStage(root) {
  const badge = root.querySelector("[data-stage]");
  const message = root.querySelector("[data-stage-message]");
  const hardware = root.querySelector("[data-hardware]");
  const frame = document.getElementById("app-frame");
  const waiting = document.getElementById("app-waiting");
  let last = badge ? badge.dataset.stage : "";
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
    if (frame && rt.stage === "RUNNING" && last !== "RUNNING") {
      frame.hidden = false;
      if (waiting) waiting.hidden = true;
      frame.src = frame.dataset.src;
    }
    last = rt.stage;
  });
  // The hub ends the stream on shutdown; EventSource reconnects by itself.
}

// A live log: <pre id="log-view" data-src="..."> with a follow switch.
function followLog(view) {
  const follow = document.getElementById("log-follow");
  const status = document.getElementById("log-status");
  let paused = [];
  const append = (text) => {
    const line = document.createElement("span");
    line.textContent = text + "\n";
    view.appendChild(line);
  };
  const source = new EventSource(view.dataset.src);
  source.onmessage = (ev) => {
    const { data } = JSON.parse(ev.data);
    if (follow && !follow.checked) {
      paused.push(data);
      if (status) status.textContent = `${paused.length} new line(s) while paused`;
      return;
    }
    append(data);
    view.scrollTop = view.scrollHeight;
  };
  source.onerror = () => {
    if (status) status.textContent = "stream ended";
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
document.querySelectorAll("#log-view[data-src]").forEach(followLog);
document.querySelectorAll("form[data-confirm]").forEach(guardConfirm);
if (window.hljs) {
  document.querySelectorAll("pre code[class*=language-]").forEach((el) => window.hljs.highlightElement(el));
}
