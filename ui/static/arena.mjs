export default function(component) {
  const { data, parentElement } = component;
  let box = parentElement.querySelector(".dgm-arena");
  if (!box) {
    box = document.createElement("div");
    box.className = "dgm-arena";
    box.innerHTML = '<canvas role="img"></canvas><div class="dgm-arena-legend">' +
      '<span><i class="dot real"></i>real data</span><span><i class="dot fake"></i>fakes G(z)</span>' +
      '<span><i class="line"></i>next G step</span>' +
      '<span class="bar">D(x): <b>0</b> fake <i class="ramp"></i> real <b>1</b></span></div>';
    parentElement.appendChild(box);
  }
  const canvas = box.querySelector("canvas");
  const st = (box.__arena = box.__arena || { queue: [], batch: null, timer: null, last: null });
  const stops = data.lut.filter((_, i) => i % 32 === 0 || i === 255).map(c => "rgb(" + c.join(",") + ")");
  box.querySelector(".ramp").style.background = "linear-gradient(90deg," + stops.join(",") + ")";
  if (st.batch !== data.batch) {
    if (data.reset) st.queue = [];
    st.queue.push(...data.frames);
    if (st.queue.length > 40) st.queue.splice(0, st.queue.length - 40);
    st.batch = data.batch;
  }
  st.data = data;
  const draw = (f) => {
    const size = Math.min(parentElement.clientWidth || 480, data.height);
    if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
    const ctx = canvas.getContext("2d"), n = data.grid, e = data.extent;
    const field = Uint8Array.from(atob(f.field), c => c.charCodeAt(0));
    const img = ctx.createImageData(n, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const v = data.lut[field[r * n + c]], o = ((n - 1 - r) * n + c) * 4;  // row 0 is y = -e: at the bottom
      img.data[o] = v[0]; img.data[o + 1] = v[1]; img.data[o + 2] = v[2]; img.data[o + 3] = 255;
    }
    const tile = document.createElement("canvas"); tile.width = n; tile.height = n;
    tile.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, size, size);
    const px = (x) => (x + e) / (2 * e) * size, py = (y) => (e - y) / (2 * e) * size;
    ctx.fillStyle = "rgba(235,235,235,0.9)";
    for (const [x, y] of data.real) { ctx.fillRect(px(x) - 1.5, py(y) - 1.5, 3, 3); }
    ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; ctx.beginPath();
    for (let i = 0; i < f.fakes.length; i++) {
      const [x, y] = f.fakes[i], [dx, dy] = f.moves[i];
      ctx.moveTo(px(x), py(y)); ctx.lineTo(px(x + dx), py(y + dy));
    }
    ctx.stroke();
    ctx.fillStyle = "#d1495b"; ctx.strokeStyle = "#fff"; ctx.lineWidth = 1;
    for (const [x, y] of f.fakes) { ctx.beginPath(); ctx.arc(px(x), py(y), 3, 0, 6.283); ctx.fill(); ctx.stroke(); }
    ctx.fillStyle = "rgba(0,0,0,0.65)"; ctx.fillRect(6, 6, 190, 24);
    ctx.fillStyle = "#fff"; ctx.font = "14px sans-serif";
    ctx.fillText("D steps " + f.d + "   G steps " + f.g, 14, 23);
    canvas.setAttribute("aria-label", data.alt + " D steps " + f.d + ", G steps " + f.g + ".");
    canvas.dataset.real = data.real.length + " real points, the first at " + (data.real[0] || []).join(", ");
    window.__dgmArenaFrames = (window.__dgmArenaFrames || 0) + 1;
    st.last = f;
  };
  // the timer draws with this run's data: a new game (another shape of real data) brings other real points, and a
  // timer that kept the first run's drawing function drew the first shape's points under every later game
  st.draw = draw;
  if (!st.timer) {
    st.timer = setInterval(() => {
      if (!box.isConnected) { clearInterval(st.timer); return; }
      const next = st.queue.shift();
      if (next) st.draw(next);
    }, data.frame_ms);
  }
  if (st.last === null && st.queue.length) draw(st.queue.shift());
}
