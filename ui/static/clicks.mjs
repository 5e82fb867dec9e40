// A stepping button that counts its clicks in the page and sends the count (ui/clicks.py).
// Sends are spaced at least SPACING_MS apart: the first click goes at once, and the clicks that follow within the
// spacing travel together in the next send. Every send starts a script run (and stops the one under way), so twenty
// quick clicks no longer ask for twenty runs; each click still becomes one step, as the count says.
// A send still waiting goes at once when anything else on the page is pressed (Reset, a slider, a key), so the
// clicks reach the server before that control's own run, in the order they were made.
const SPACING_MS = 250;
const GONE_MS = 3000; // how long a late send waits for its button to be drawn again

export default function(component) {
  const { data, setStateValue, parentElement } = component;
  const counts = (window.__dgmClickCounts = window.__dgmClickCounts || {});
  counts[data.id] = Math.max(counts[data.id] || 0, data.done || 0);
  const sends = (window.__dgmClickSends = window.__dgmClickSends || {});
  const out = (sends[data.id] = sends[data.id] || { last: -Infinity, timer: null, set: null, button: null, sent: 0 });
  out.count = Math.max(out.count || 0, data.done || 0); // the count the server has (or acted on)
  out.set = setStateValue; // this run's component: the one a late send must go through
  const send = () => {
    clearTimeout(out.timer);
    out.timer = null;
    if (!out.button || !out.button.isConnected) {
      // the page is being redrawn (the button comes back in a moment: try again) or was left for another
      out.gone = out.gone || performance.now();
      if (performance.now() - out.gone < GONE_MS) {
        out.timer = setTimeout(send, 100);
        return;
      }
      out.gone = 0;
      counts[data.id] = out.count; // gone for good: the clicks not yet sent are dropped, not kept for later
      return;
    }
    out.gone = 0;
    out.last = performance.now();
    out.sent += 1;
    out.count = counts[data.id];
    out.set("clicks", out.count);
  };
  if (!out.flush) {
    out.flush = (event) => {
      if (out.timer !== null && !(out.button && event.composedPath().includes(out.button))) send();
    };
    document.addEventListener("pointerdown", out.flush, true);
    document.addEventListener("keydown", out.flush, true);
  }
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    parentElement.appendChild(button);
  }
  out.button = button;
  button.className = data.primary ? "dgm-step primary" : "dgm-step";
  button.textContent = data.label;
  button.title = data.help || "";
  button.setAttribute("aria-label", data.label);
  button.onclick = () => {
    counts[data.id] += 1;
    if (out.timer !== null) return; // a send is due: it carries this click too
    const wait = out.last + SPACING_MS - performance.now();
    if (wait <= 0) send();
    else out.timer = setTimeout(send, wait);
  };
}
