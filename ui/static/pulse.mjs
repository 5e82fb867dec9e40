// Class mode's waiting views (ui/classroom.py): ask serve.py's /class/<code>/pulse, a small JSON answer, and ask
// for a script run (the "changed" trigger, which reruns the fragment this sits in) only when a watched field
// differs from what the view last drew. Waiting thus costs the server an HTTP answer, not a Streamlit run.
// The request is a long poll (?wait=S&field=value): the server holds it until a watched field differs from the
// value sent, so a move reaches the view at once and a quiet room costs one answer per WAIT_S.
// One loop lives on window per key, so a fragment's rerun or a fresh mount keeps one loop; it stops itself when
// its element has left the page (the student left the class, the activity closed).

const WAIT_S = 20; // the longest hold asked for (serve.py caps it at 25 s)
const RETRY_MS = 3000; // a change asked for whose run never came is asked for again after this

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connected(p) {
  const host = p.parent.host || p.parent; // a shadow root's host, or the element itself
  return host.isConnected;
}

async function loop(id) {
  const all = window.__dgmPulse;
  for (;;) {
    const p = all[id];
    if (!p) return;
    if (!connected(p)) {
      delete all[id];
      return;
    }
    // wait for a change from what the view drew, or, right after asking for a run, from what was asked for
    const asking = p.asked !== null && Date.now() - p.askedAt < RETRY_MS;
    const expect = asking ? p.askedValues : p.data.seen;
    const query = new URLSearchParams({ wait: String(asking ? RETRY_MS / 1000 : WAIT_S) });
    for (const k of p.data.watch) query.set(k, String(expect[k]));
    if (p.data.sid) query.set("sid", p.data.sid); // a student's browser says it still has the class open
    const started = Date.now();
    let sent = false;
    try {
      const answer = await fetch(`${p.data.url}?${query}`, { cache: "no-store" });
      if (answer.ok) {
        const now = await answer.json();
        const changed = Boolean(now.gone) || p.data.watch.some((k) => String(now[k]) !== String(p.data.seen[k]));
        const mark = JSON.stringify(now);
        // one request per change; the same change again only if the run it asked for never came
        if (changed && connected(p) && (p.asked !== mark || Date.now() - p.askedAt > RETRY_MS)) {
          p.asked = mark;
          p.askedAt = Date.now();
          p.askedValues = Object.fromEntries(p.data.watch.map((k) => [k, now[k]]));
          p.send("changed", mark);
          sent = true;
        }
      }
      // not ok: the room is gone or the store unreachable; the page's own run says what is wrong
    } catch (err) {
      // a lost connection: Streamlit's own reconnection takes over; try again after a pause
    }
    // an answer that came at once and asked for nothing (an error, a room gone) waits before the next request
    if (!sent && Date.now() - started < p.data.every_ms) await sleep(p.data.every_ms);
    // a view that may run at most so often (the presenter's student count while 60 join) waits after asking
    if (sent && p.data.gap_ms) await sleep(p.data.gap_ms);
  }
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const all = (window.__dgmPulse = window.__dgmPulse || {});
  const p = (all[data.id] = all[data.id] || { asked: null, askedAt: 0, askedValues: {}, running: false });
  p.data = data;
  p.send = setTriggerValue;
  p.parent = parentElement;
  if (!p.running) {
    p.running = true;
    loop(data.id).finally(() => {
      p.running = false;
    });
  }
}
