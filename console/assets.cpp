#include "console/assets.h"

namespace frontdesk {

std::string_view ConsoleCss() {
  return R"css(:root { --fg: #1d232b; --muted: #5b6673; --line: #d9dee4; --bg: #f6f7f9; --accent: #1f5fbf;
  --late: #b3261e; --note: #fff7d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .5rem 1rem;
  background: #fff; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
#nav { display: flex; flex-wrap: wrap; gap: .25rem; flex: 1; }
#nav a { padding: .25rem .55rem; border-radius: 4px; color: var(--fg); text-decoration: none; }
#nav a.current { background: var(--accent); color: #fff; }
#nav .count { font-size: .8em; opacity: .75; }
.who { display: flex; gap: .4rem; align-items: center; color: var(--muted); }
.who form { display: inline; }
main { padding: 1rem; max-width: 1400px; }
h1 { font-size: 1.3rem; margin: .25rem 0 .75rem; }
h2 { font-size: 1rem; margin: 1rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
tr.late .due, li.late { color: var(--late); font-weight: 600; }
tr.selected { outline: 2px solid var(--accent); }
.empty, .hint { color: var(--muted); }
.presence { color: #7a4cc2; font-weight: 600; }
.presence:empty { display: none; }
.error { color: var(--late); font-weight: 600; }
#save-view-form, #saved-views { margin: .75rem 0; }
#save-view-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
form.inline { display: inline; }
#bulk-controls { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--accent); background: var(--accent);
  color: #fff; border-radius: 4px; cursor: pointer; }
button.secondary, .who button { background: #fff; color: var(--accent); }
input, select, textarea { font: inherit; padding: .25rem .4rem; border: 1px solid var(--line); border-radius: 4px; }
textarea { width: 100%; }
.columns { display: flex; gap: 1.5rem; flex-wrap: wrap; }
.columns .main { flex: 3; min-width: 320px; }
.columns aside { flex: 1; min-width: 260px; }
#meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr max-content 1fr; gap: .2rem .75rem; }
#meta dt { color: var(--muted); }
#meta dd { margin: 0; }
article.message { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .5rem .75rem; }
article.message.note { background: var(--note); border-style: dashed; }
article.message.reply { border-left: 4px solid var(--accent); }
article.message.new, li.event.new { box-shadow: inset 4px 0 0 #2e9d4f; }
article.message header { display: flex; gap: .5rem; padding: 0; border: 0; background: none; color: var(--muted); }
.body { white-space: pre-wrap; overflow-wrap: anywhere; }
#take-form { display: inline-block; margin: .25rem .5rem .25rem 0; }
#update-form { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; margin: .25rem 0; }
#update-form label { display: inline-flex; gap: .3rem; align-items: center; }
#history ol { padding-left: 1.2rem; }
#history time, #sla li { color: var(--muted); }
.buttons { display: flex; gap: .5rem; align-items: center; margin-top: .4rem; }
#login-form { max-width: 22rem; display: grid; gap: .5rem; background: #fff; padding: 1rem; border: 1px solid var(--line); }
.chart-box { display: inline-block; vertical-align: top; margin: 0 1.5rem 1rem 0; max-width: 100%; }
svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
#help { position: fixed; right: 1rem; bottom: 1rem; background: #fff; border: 1px solid var(--line); padding: .75rem; }
#help dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: 0; }
)css";
}

std::string_view ConsoleJs() {
  return R"js(// Keyboard shortcuts and Ctrl+Enter. Every page works without this file.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("tr.ticket")); };
  var current = -1;
  function select(i) {
    var r = rows();
    if (!r.length) return;
    current = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
    r[current].scrollIntoView({ block: "nearest" });
  }
  function click(sel) { var el = document.querySelector(sel); if (el) el.click(); return !!el; }
  function focus(sel) { var el = document.querySelector(sel); if (el) el.focus(); return !!el; }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.id === "reply-body") {
      e.preventDefault();
      click(e.target.dataset.kind === "note" ? "#send-note" : "#send-reply") || click("#send-anyway");
      return;
    }
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    var handled = true;
    switch (e.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o": var r = rows()[current]; if (r) r.querySelector("a.open").click(); break;
      case "r": focus("#reply-body"); break;
      case "n": if (focus("#reply-body")) document.querySelector("#reply-body").dataset.kind = "note"; break;
      case "a": click("#take-button"); break;
      case "/": focus("#search"); break;
      case "?": var h = document.getElementById("help"); h.hidden = !h.hidden; break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });
  // Presence: every 15 s, say whether this agent is writing, and show who
  // else has the ticket open.
  var presence = document.getElementById("presence");
  var form = document.getElementById("reply-form");
  if (presence && form && window.fetch) {
    var beat = function () {
      var body = new URLSearchParams();
      body.set("csrf", form.querySelector("input[name=csrf]").value);
      body.set("state", form.querySelector("textarea").value.trim() ? "replying" : "viewing");
      fetch("/tickets/" + presence.dataset.ticket + "/presence", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j) presence.textContent = j.others; })
        .catch(function () {});
    };
    setInterval(beat, 15000);
    form.querySelector("textarea").addEventListener("input", function once() {
      this.removeEventListener("input", once);
      beat();
    });
  }
})();
)js";
}

}  // namespace frontdesk
