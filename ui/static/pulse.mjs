// Class mode's waiting views (ui/classroom.py): poll serve.py's /class/<code>/pulse, a small JSON answer, and ask
// for a script run (the "changed" trigger, which reruns the fragment this sits in) only when a watched field
// differs from what the view last drew. Waiting thus costs the server an HTTP answer, not a Streamlit run.
// The poller lives on window, one per key, so a fragment's rerun or a fresh mount keeps one timer; it stops
// itself when its element has left the page (the student left the class, the activity closed).

async function tick(id) {
  const all = window.__dgmPulse;
  const p = all[id];
  if (!p) return;
  const host = p.parent.host || p.parent; // a shadow root's host, or the element itself
  if (!host.isConnected) {
    clearInterval(p.timer);
    delete all[id];
    return;
  }
  if (p.busy) return;
  p.busy = true;
  try {
    const answer = await fetch(p.data.url, { cache: "no-store" });
    if (!answer.ok) return; // the page's own run says what is wrong (room gone, store unreachable)
    const now = await answer.json();
    const changed = Boolean(now.gone) || p.data.watch.some((k) => String(now[k]) !== String(p.data.seen[k]));
    const mark = JSON.stringify(now);
    // one request per change; the same change again only if the run it asked for never came (3 s)
    if (changed && (p.asked !== mark || Date.now() - p.askedAt > 3000)) {
      p.asked = mark;
      p.askedAt = Date.now();
      p.send("changed", mark);
    }
  } catch (err) {
    // a lost connection: Streamlit's own reconnection takes over; try again on the next tick
  } finally {
    p.busy = false;
  }
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const all = (window.__dgmPulse = window.__dgmPulse || {});
  const p = (all[data.id] = all[data.id] || { asked: null, askedAt: 0, busy: false, timer: null });
  p.data = data;
  p.send = setTriggerValue;
  p.parent = parentElement;
  if (p.timer === null || p.every !== data.every_ms) {
    if (p.timer !== null) clearInterval(p.timer);
    p.every = data.every_ms;
    p.timer = setInterval(() => tick(data.id), data.every_ms);
  }
}
