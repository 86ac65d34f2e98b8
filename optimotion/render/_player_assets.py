"""The HTML player's stylesheet and script (vanilla JS, no network, no libraries).

The script reads one `<script type="application/json">` block (see `_html.py`):
the frame clock, each panel's clip box and data-to-pixel map, and the series as
delta-encoded integers. It draws on a `<canvas>` laid over the background image,
at the device's pixel ratio, so trails stay sharp at any zoom.
"""

CSS = """
.omp{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 color:var(--omp-fg);background:var(--omp-bg);margin:0 auto;outline:none}
.omp-stage{position:relative;line-height:0}
.omp-bg{display:block;width:100%;height:auto;user-select:none}
.omp-fg{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}
.omp-final{position:absolute;left:0;top:0;width:100%;height:auto}
.omp-bar{display:flex;align-items:center;gap:.6em;padding:.35em .5em;flex-wrap:wrap}
.omp-bar button,.omp-bar select{font:inherit;color:inherit;background:transparent;
 border:1px solid var(--omp-muted);border-radius:4px;padding:.1em .55em;cursor:pointer}
.omp-play{min-width:2.6em}
.omp-scrub{flex:1 1 12em;accent-color:var(--omp-fg);min-width:8em}
.omp-step{font-variant-numeric:tabular-nums;white-space:nowrap;min-width:9em;
 text-align:right}
.omp-bar label{white-space:nowrap;color:var(--omp-muted)}
.omp-legend{display:flex;flex-wrap:wrap;gap:.2em .9em;padding:0 .5em .5em}
.omp-item{font:inherit;color:inherit;background:transparent;border:0;padding:.1em .2em;
 cursor:pointer;display:inline-flex;align-items:center;gap:.45em;border-radius:4px}
.omp-item[aria-pressed=false]{opacity:.38;text-decoration:line-through}
.omp-swatch{display:inline-block;width:1.6em;height:.28em;border-radius:.14em}
.omp-item:focus-visible,.omp-bar button:focus-visible{outline:2px solid var(--omp-fg)}
"""

JS = r"""
(function () {
"use strict";
var root = document.getElementById(ROOT_ID);
root.querySelectorAll(".omp-final").forEach(function (img) { img.remove(); });
var D = JSON.parse(document.getElementById(ROOT_ID + "-data").textContent);
var canvas = root.querySelector(".omp-fg");
var ctx = canvas.getContext("2d");
var playBtn = root.querySelector(".omp-play");
var scrub = root.querySelector(".omp-scrub");
var stepText = root.querySelector(".omp-step");
var speedSel = root.querySelector(".omp-speed");
var loopBox = root.querySelector(".omp-loop");
var W = D.size[0], H = D.size[1], T = D.steps, F = D.frames;

function decode(d, q) {  // delta-encoded integers -> numbers
  var out = new Float64Array(d.length), acc = 0;
  for (var i = 0; i < d.length; i++) { acc += d[i]; out[i] = acc * q; }
  return out;
}
D.panels.forEach(function (p) {
  p.series.forEach(function (s) {
    var u = decode(s.u, s.qu), v = decode(s.v, s.qv), m = p.map;
    s.px = new Float64Array(u.length); s.py = new Float64Array(u.length);
    for (var i = 0; i < u.length; i++) {
      s.px[i] = m[0] * u[i] + m[1]; s.py[i] = m[2] * v[i] + m[3];
    }
    (s.gaps || []).forEach(function (i) { s.px[i] = NaN; s.py[i] = NaN; });
  });
});
var visible = D.tracks.map(function () { return true; });
var state = {t: 0, f: 0, playing: false, last: 0, held: 0};

function rgba(hex, a) {
  var n = parseInt(hex.slice(1), 16);
  var rgb = [n >> 16 & 255, n >> 8 & 255, n & 255];
  return "rgba(" + rgb.join(",") + "," + a + ")";
}
function strokePath(s, lo, hi) {  // NaN points break the line (clipped 3-D points)
  ctx.beginPath();
  var pen = false;
  for (var i = lo; i <= hi; i++) {
    var x = s.px[i], y = s.py[i];
    if (x !== x || y !== y) { pen = false; continue; }
    if (pen) ctx.lineTo(x, y); else { ctx.moveTo(x, y); pen = true; }
  }
  ctx.stroke();
}
function trail(s, lo, hi, color) {
  if (!D.fade) { ctx.strokeStyle = color; strokePath(s, lo, hi); return; }
  var n = hi - lo, B = Math.min(n, 24);  // alpha in bands, tail faint to head opaque
  for (var b = 0; b < B; b++) {
    var a = lo + Math.floor(b * n / B), z = lo + Math.floor((b + 1) * n / B);
    var middle = ((a + z) / 2 - lo) / Math.max(n - 1, 1);
    var alpha = D.fadeTail + (1 - D.fadeTail) * middle;
    ctx.strokeStyle = rgba(color, Math.min(1, alpha)); strokePath(s, a, z);
  }
}
function head(x, y, r, color, cross) {
  if (x !== x || y !== y) return;
  ctx.beginPath();
  if (cross) {  // matplotlib's filled "X" marker
    var a = r * 1.0, w = r * 0.36;
    ctx.moveTo(x - a, y - a + w); ctx.lineTo(x - w, y);
    ctx.lineTo(x - a, y + a - w); ctx.lineTo(x - a + w, y + a);
    ctx.lineTo(x, y + w); ctx.lineTo(x + a - w, y + a);
    ctx.lineTo(x + a, y + a - w); ctx.lineTo(x + w, y);
    ctx.lineTo(x + a, y - a + w); ctx.lineTo(x + a - w, y - a);
    ctx.lineTo(x, y - w); ctx.lineTo(x - a + w, y - a); ctx.closePath();
  } else {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
  ctx.fillStyle = color; ctx.fill();
  ctx.lineWidth = D.headEdge; ctx.strokeStyle = D.background; ctx.stroke();
}
function resize() {
  var dpr = window.devicePixelRatio || 1;
  var w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  var h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w; canvas.height = h;
  }
}
function draw() {
  resize();
  var t = state.t;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(canvas.width / W, 0, 0, canvas.height / H, 0, 0);
  ctx.lineCap = "round"; ctx.lineJoin = "round";
  D.panels.forEach(function (p) {
    ctx.save();
    ctx.beginPath(); ctx.rect(p.clip[0], p.clip[1], p.clip[2], p.clip[3]); ctx.clip();
    if (p.cursor) {
      var cx = p.map[0] * t + p.map[1];
      ctx.save(); ctx.setLineDash(p.cursor.dash); ctx.lineCap = "butt";
      ctx.lineWidth = p.cursor.width; ctx.strokeStyle = p.cursor.color;
      ctx.beginPath(); ctx.moveTo(cx, p.clip[1]); ctx.lineTo(cx, p.clip[1] + p.clip[3]);
      ctx.stroke(); ctx.restore();
    }
    var heads = [];
    ctx.lineWidth = p.lineWidth;
    p.series.forEach(function (s) {
      var tr = D.tracks[s.track];
      if (!visible[s.track]) return;
      var h = Math.min(t, tr.last) - s.first, n = s.px.length;
      if (h < 0 || n === 0) return;
      var hi = Math.min(h, n - 1);
      var lo = (p.kind === "trail" && D.trail !== null) ? Math.max(0, hi - D.trail) : 0;
      if (hi > lo) trail(s, lo, hi, tr.color);
      heads.push([s.px[hi], s.py[hi], tr.color,
                  p.kind === "trail" && tr.diverged !== null && t >= tr.diverged]);
    });
    heads.forEach(function (h) { head(h[0], h[1], p.headRadius, h[2], h[3]); });
    ctx.restore();
  });
  if (D.counter) {
    var c = D.counter;
    ctx.font = c.size + "px " + c.family; ctx.fillStyle = c.color;
    ctx.textAlign = "right"; ctx.textBaseline = "alphabetic";
    ctx.fillText(String(t), c.x, c.y);
  }
  stepText.textContent = "step " + t + " / " + T;
  if (String(scrub.value) !== String(t)) scrub.value = t;
}
function setPlaying(on) {
  state.playing = on;
  playBtn.textContent = on ? "\u275A\u275A" : "\u25B6";
  playBtn.setAttribute("aria-label", on ? "Pause" : "Play");
  if (on) { state.last = performance.now(); requestAnimationFrame(tick); }
}
function tick(now) {
  if (!state.playing) return;
  var dt = Math.min(0.25, (now - state.last) / 1000);
  state.last = now;
  var end = F.length - 1;
  if (state.f >= end) {  // holding the last frame
    state.held += dt * D.fps * Number(speedSel.value);
    if (state.held >= D.hold) {
      if (loopBox.checked) { state.f = 0; state.held = 0; }
      else { setPlaying(false); return; }
    }
  } else {
    state.f = Math.min(end, state.f + dt * D.fps * Number(speedSel.value));
  }
  state.t = F[Math.floor(state.f)];
  draw();
  requestAnimationFrame(tick);
}
function seek(t) {  // show step t; playing resumes from the first frame at or after t
  state.t = Math.max(0, Math.min(T, t));
  var lo = 0, hi = F.length - 1;
  while (lo < hi) {
    var mid = (lo + hi) >> 1;
    if (F[mid] < state.t) lo = mid + 1; else hi = mid;
  }
  state.f = lo; state.held = 0;
  draw();
}
playBtn.addEventListener("click", function () {
  if (!state.playing && state.f >= F.length - 1) { state.f = 0; state.held = 0; }
  setPlaying(!state.playing);
});
scrub.addEventListener("input", function () {
  setPlaying(false); seek(Number(scrub.value));
});
root.querySelectorAll(".omp-item").forEach(function (item) {
  item.addEventListener("click", function () {
    var i = Number(item.dataset.track);
    visible[i] = !visible[i];
    item.setAttribute("aria-pressed", String(visible[i]));
    draw();
  });
});
root.addEventListener("keydown", function (e) {
  if (e.target.tagName === "SELECT" || e.target.tagName === "INPUT") return;
  var move = {ArrowRight: 1, ArrowLeft: -1}[e.key];
  if (e.key === " ") { playBtn.click(); e.preventDefault(); }
  else if (move) { setPlaying(false); seek(state.t + move); e.preventDefault(); }
});
root.querySelector(".omp-bg").addEventListener("load", draw);
window.addEventListener("resize", draw);
seek(0);
if (/autoplay/.test(window.location.hash)) setPlaying(true);
root.optimotion = {seek: seek, play: function () { setPlaying(true); },
                   pause: function () { setPlaying(false); }, state: state};
})();
"""
