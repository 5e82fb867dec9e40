// The sequence player (ui/player.py): plays, pauses and scrubs a computed sequence in the browser.
//
// A player's state (position, speed, the stops it sent) lives in window.__dgmPlayer.players[id], not in the
// DOM: Streamlit may mount the component afresh after a rerun, and the student's speed, focus and position
// must survive that. A stop is sent to the server as "STEP@SEQ"; the server answers with the step it shows
// and `ack`, the SEQ of the last stop it acted on. An answer to an older stop, arriving after the student
// has moved on, is an echo and is not drawn (it would snap the player back and lose the key presses).
const UNKNOWN = [58, 62, 74]; // a pixel not drawn yet (the digit's paper is black)
const MARK = [214, 39, 40]; // the next pixel
const KEYS = new Set(["ArrowLeft", "ArrowRight", "Home", "End", " "]);
const RECENT_MS = 4000; // after using a player, its keys keep working for this long even if the focus was lost
const BUSY = ".dgm-player, input, textarea, select, button, [role=slider], [role=tab], [contenteditable=true]";

function bytes(b64) {
  const raw = atob(b64 || "");
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function routeKeys(root) {
  if (root.keysInstalled) return;
  root.keysInstalled = true;
  // Keys pressed where no control has the focus go to a player: in presenter mode always (the arrow keys step
  // the animation on screen), otherwise only shortly after the student used a player (its box may have been
  // mounted afresh by a rerun, taking the focus with it).
  window.addEventListener("keydown", (ev) => {
    if (!KEYS.has(ev.key) || ev.defaultPrevented) return;
    // the player sits in a shadow root: look along the event's whole path, not at its retargeted target
    if (ev.composedPath().some((node) => node.matches && node.matches(BUSY))) return;
    const recent = performance.now() - (root.usedAt || -RECENT_MS) < RECENT_MS;
    if (!root.presenter && !recent) return;
    let p = root.players[root.active];
    if (!p || !p.box || !p.box.isConnected) p = Object.values(root.players).find((q) => q.box && q.box.isConnected);
    if (p && p.key(ev)) ev.preventDefault();
  });
}

function build(p, parentElement, root, stats) {
  const box = document.createElement("div");
  box.className = "dgm-player";
  box.tabIndex = 0;
  box.innerHTML = `
    <canvas role="img"></canvas>
    <div class="dgm-label"></div>
    <div class="dgm-controls">
      <button type="button" data-act="start" title="Back to the start (Home)"
        aria-label="Back to the start">|&#x25C0;</button>
      <button type="button" data-act="back" title="One step back (left arrow)"
        aria-label="One step back">&#x25C0;</button>
      <button type="button" data-act="play" class="dgm-play" title="Play or pause (space)">Play</button>
      <button type="button" data-act="next" title="One step forward (right arrow)"
        aria-label="One step forward">&#x25B6;</button>
      <button type="button" data-act="end" title="To the end (End)" aria-label="To the end">&#x25B6;|</button>
      <label class="dgm-speed">Play speed <select></select></label>
    </div>
    <input type="range" min="0" step="1">`;
  parentElement.appendChild(box);
  Object.assign(p, {
    box,
    canvas: box.querySelector("canvas"),
    label: box.querySelector(".dgm-label"),
    range: box.querySelector("input"),
    play: box.querySelector(".dgm-play"),
    select: box.querySelector("select"),
    builtFor: null,
    speeds: null,
  });
  const used = () => {
    root.active = p.id;
    root.usedAt = performance.now();
  };
  box.addEventListener("keydown", (ev) => {
    if (ev.target === p.range && ev.key !== " ") return; // the slider steps by itself
    if (p.key(ev)) ev.preventDefault();
  });
  box.addEventListener("pointerdown", used);
  box.addEventListener("focusin", () => {
    p.focused = true;
    used();
  });
  box.addEventListener("focusout", (ev) => {
    // a focus that leaves because the box is taken out of the page (a rerun mounting it afresh) is kept
    if (box.isConnected && !box.contains(ev.relatedTarget)) p.focused = false;
  });
  box.querySelector(".dgm-controls").addEventListener("click", (ev) => {
    const act = ev.target.closest("button")?.dataset.act;
    const step = p.data.stride || 1;
    used();
    if (act === "play") p.toggle();
    else if (act === "start") p.move(0);
    else if (act === "end") p.move(p.count - 1);
    else if (act === "back") p.move(p.pos - step);
    else if (act === "next") p.move(p.pos + step);
  });
  p.select.addEventListener("change", () => {
    p.speed = p.select.value; // remembered for this player, across reruns and fresh mounts
  });
  p.range.addEventListener("input", () => {
    used();
    p.stop(false);
    p.moves += 1;
    const t0 = performance.now();
    p.draw(Number(p.range.value));
    stats.scrubMs.push(performance.now() - t0);
  });
  p.range.addEventListener("change", () => p.report());
}

function create(id, root, stats) {
  const p = { id, pos: 0, playing: false, seq: 0, timer: null, moves: 0, sent: {}, serverKey: null };
  p.draw = (t) => {
    const d = p.data,
      w = d.w,
      h = d.h,
      px = p.pixels;
    p.pos = t = Math.max(0, Math.min(p.count - 1, t));
    const marks = [];
    if (d.kind === "frames") {
      const base = t * w * h;
      for (let i = 0; i < w * h; i++) {
        const v = p.frames[base + i];
        px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = v;
        px[4 * i + 3] = 255;
      }
    } else {
      for (let i = 0; i < w * h; i++) {
        const r = p.reveal[i];
        if (r === 0 || r <= t) {
          const v = p.image[i];
          px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = v;
        } else {
          px[4 * i] = UNKNOWN[0];
          px[4 * i + 1] = UNKNOWN[1];
          px[4 * i + 2] = UNKNOWN[2];
          if (r === t + 1) marks.push(i);
        }
        px[4 * i + 3] = 255;
      }
    }
    p.offCtx.putImageData(p.imageData, 0, 0);
    const ctx = p.ctx,
      s = d.scale;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(p.off, 0, 0, w * s, h * s);
    ctx.strokeStyle = `rgb(${MARK.join(",")})`;
    ctx.lineWidth = Math.max(2, s / 3);
    for (const i of marks) ctx.strokeRect((i % w) * s + 1, Math.floor(i / w) * s + 1, s - 2, s - 2);
    p.label.textContent = d.labels ? d.labels[t] : d.label.replace("{t}", t).replace("{t1}", t + 1);
    p.range.value = t;
    if (p.playing) stats.frames += 1;
  };
  p.report = () => {
    clearTimeout(p.timer);
    p.seq = Math.max(p.seq + 1, Date.now());
    p.sent[p.seq] = p.moves; // what the student had done when this stop left
    stats.reports += 1;
    p.send("at", `${p.data.values ? p.data.values[p.pos] : p.pos}@${p.seq}`);
  };
  p.later = () => {
    clearTimeout(p.timer);
    p.timer = setTimeout(p.report, 350);
  };
  p.stop = (report) => {
    if (p.playing) stats.playMs += performance.now() - p.started;
    const was = p.playing;
    p.playing = false;
    p.play.textContent = "Play";
    if (report && was) p.report();
  };
  p.tick = (now) => {
    if (!p.playing) return;
    if (!p.box.isConnected) {
      requestAnimationFrame(p.tick); // being mounted afresh: the new box takes over
      return;
    }
    if (now - p.last >= 1000 / Number(p.select.value) - 2) {
      p.last = now;
      p.draw(Math.min(p.count - 1, p.pos + (p.data.stride || 1)));
      if (p.pos >= p.count - 1) {
        p.stop(true);
        return;
      }
    }
    requestAnimationFrame(p.tick);
  };
  p.toggle = () => {
    p.moves += 1;
    if (p.playing) {
      p.stop(true);
      return;
    }
    clearTimeout(p.timer);
    if (p.pos >= p.count - 1) p.draw(0);
    p.playing = true;
    p.started = p.last = performance.now();
    p.play.textContent = "Pause";
    requestAnimationFrame(p.tick);
  };
  p.move = (t) => {
    p.stop(false);
    p.moves += 1;
    const t0 = performance.now();
    p.draw(t);
    stats.scrubMs.push(performance.now() - t0);
    p.later();
  };
  p.key = (ev) => {
    root.active = p.id;
    root.usedAt = performance.now();
    const step = p.data.stride || 1;
    if (ev.key === "ArrowLeft") p.move(p.pos - step);
    else if (ev.key === "ArrowRight") p.move(p.pos + step);
    else if (ev.key === "Home") p.move(0);
    else if (ev.key === "End") p.move(p.count - 1);
    else if (ev.key === " ") p.toggle();
    else return false;
    return true;
  };
  return p;
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const root = (window.__dgmPlayer = window.__dgmPlayer || { players: {}, stats: {} });
  root.presenter = !!data.presenter;
  routeKeys(root);
  const stats = (root.stats[data.id] = root.stats[data.id] || { frames: 0, playMs: 0, scrubMs: [], reports: 0 });
  const p = (root.players[data.id] = root.players[data.id] || create(data.id, root, stats));
  const box = parentElement.querySelector(".dgm-player");
  const fresh = !box || p.box !== box;
  if (fresh) {
    const hadFocus = p.focused;
    build(p, parentElement, root, stats);
    if (hadFocus) p.box.focus({ preventScroll: true });
  }
  p.send = setStateValue;
  p.data = data;
  if (data.version !== p.version) {
    // a new sequence: forget the old one's position and stops
    p.stop(false);
    p.version = data.version;
    p.count = data.count;
    p.sent = {};
    p.serverKey = null;
    if (data.kind === "frames") p.frames = bytes(data.frames);
    else {
      p.image = bytes(data.image);
      p.reveal = new Uint16Array(bytes(data.reveal).buffer);
    }
  }
  if (fresh || p.builtFor !== data.version) {
    p.builtFor = data.version;
    p.off = document.createElement("canvas");
    p.off.width = data.w;
    p.off.height = data.h;
    p.offCtx = p.off.getContext("2d");
    p.imageData = p.offCtx.createImageData(data.w, data.h);
    p.pixels = p.imageData.data;
  }
  p.canvas.width = data.w * data.scale;
  p.canvas.height = data.h * data.scale;
  p.ctx = p.canvas.getContext("2d");
  p.canvas.setAttribute("aria-label", data.alt);
  p.range.max = data.count - 1;
  p.range.setAttribute("aria-label", data.slider);
  p.play.textContent = p.playing ? "Pause" : "Play";
  const speeds = JSON.stringify(data.speeds);
  if (p.speeds !== speeds) {
    p.speeds = speeds;
    p.select.innerHTML = data.speeds.map(([name, fps]) => `<option value="${fps}">${name}</option>`).join("");
    const kept = data.speeds.some(([, fps]) => String(fps) === p.speed);
    p.select.value = kept ? p.speed : String(data.fps);
  }
  // What the server shows: its step, and the last stop of ours it acted on. Draw it when it is new, unless it
  // answers a stop the student has since moved on from (then a newer stop is on its way).
  const ack = Number(data.ack || 0);
  const serverKey = `${data.step}@${ack}`;
  if (serverKey !== p.serverKey) {
    const ackChanged = !p.serverKey || !p.serverKey.endsWith(`@${ack}`);
    const outdated = ackChanged && ack in p.sent && p.sent[ack] < p.moves;
    p.serverKey = serverKey;
    if (!outdated) {
      p.stop(false);
      p.draw(data.step);
      return;
    }
  }
  p.draw(p.pos); // a fresh canvas shows where the student is
}
