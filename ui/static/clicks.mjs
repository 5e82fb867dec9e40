// A stepping button that counts its clicks in the page and sends the count (ui/clicks.py).
// Sends are spaced at least SPACING_MS apart: the first click goes at once, and the clicks of a burst that follow
// it travel together in one send a moment later. Every send starts a script run (and stops the one under way), so
// twenty quick clicks no longer ask for twenty runs; each click still becomes one step, as the count says.
const SPACING_MS = 250;

export default function(component) {
  const { data, setStateValue, parentElement } = component;
  const counts = (window.__dgmClickCounts = window.__dgmClickCounts || {});
  counts[data.id] = Math.max(counts[data.id] || 0, data.done || 0);
  const sends = (window.__dgmClickSends = window.__dgmClickSends || {});
  const out = (sends[data.id] = sends[data.id] || { last: -Infinity, timer: null, set: null, sent: 0 });
  out.set = setStateValue; // this run's component: the one a late send must go through
  const send = () => {
    out.timer = null;
    out.last = performance.now();
    out.sent += 1;
    try {
      out.set("clicks", counts[data.id]);
    } catch (err) {
      // the button left the page (another page was opened) before its late send: nothing left to count for
    }
  };
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    parentElement.appendChild(button);
  }
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
