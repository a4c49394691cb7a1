// The script and styles that make report.html interactive: hover details on every mark of the
// timeline, zoom and pan on its time axis, links from a broken SLO to the moment it broke, and a
// filter for the per-pod table. Without JavaScript the page shows the same static timeline and the
// full table; the script only adds. It is plain ES2015 inlined in the page, with no network access.

export const INTERACTIVE_CSS = `
.zoombar { display: none; gap: 8px; align-items: center; margin: 0 0 8px; font-size: 13px; color: #3e4c59; }
.js .zoombar { display: flex; flex-wrap: wrap; }
.zoombar button { font: inherit; padding: 3px 10px; border: 1px solid #cbd2d9; border-radius: 6px; background: #fff; cursor: pointer; }
.zoombar button:hover { background: #f0f4f8; }
.js .timeline svg { cursor: grab; }
.js .timeline svg.dragging { cursor: grabbing; }
.tip { position: fixed; z-index: 10; pointer-events: none; max-width: 420px; padding: 6px 9px; border-radius: 6px; background: #1f2933; color: #fff; font-size: 12.5px; line-height: 1.35; box-shadow: 0 2px 8px rgba(0,0,0,.25); display: none; white-space: pre-wrap; }
a.jump { font-size: 12px; white-space: nowrap; }
.podfilter { display: none; margin: 0 0 8px; }
.js .podfilter { display: block; }
.podfilter input { font: inherit; padding: 5px 9px; width: min(420px, 100%); border: 1px solid #cbd2d9; border-radius: 6px; }
table.pods td { font-size: 12.5px; }
table.pods td.life { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
`;

/** Inlined as is: keep it ES2015, no template literals with ${} (the page is built from a TS template). */
export const INTERACTIVE_JS = `
(function () {
  var root = document.documentElement;
  root.classList.add('js');
  var svg = document.querySelector('.timeline svg');
  var tip = document.createElement('div');
  tip.className = 'tip';
  document.body.appendChild(tip);

  // 1. Hover details: every mark's <title> becomes a tooltip that shows at once.
  if (svg) {
    Array.prototype.forEach.call(svg.querySelectorAll('title'), function (t) {
      var parent = t.parentNode;
      parent.setAttribute('data-tip', t.textContent);
      parent.removeChild(t);
    });
    svg.addEventListener('mousemove', function (e) {
      var el = e.target.closest ? e.target.closest('[data-tip]') : null;
      if (!el) { tip.style.display = 'none'; return; }
      tip.textContent = el.getAttribute('data-tip');
      tip.style.display = 'block';
      var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      tip.style.left = x + 'px';
      tip.style.top = (e.clientY + 16) + 'px';
    });
    svg.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  }

  // 2. Zoom and pan: every mark right of the lane labels is moved along the time axis.
  var L = svg ? +svg.getAttribute('data-plot-left') : 0;
  var R = svg ? +svg.getAttribute('data-plot-right') : 0;
  var END = svg ? +svg.getAttribute('data-end-ms') : 0;
  var view = { t0: 0, t1: END };
  var items = [];
  var NS = 'http://www.w3.org/2000/svg';
  var label, bar;
  function num(el, a) { return parseFloat(el.getAttribute(a)); }
  function parsePath(d) { return d.match(/[MLHVZ]|-?[0-9.]+/g) || []; }
  function collect() {
    var vb = svg.viewBox.baseVal;
    var defs = svg.querySelector('defs') || svg.insertBefore(document.createElementNS(NS, 'defs'), svg.firstChild);
    // Shapes are cut at the plot's left edge; text a little left of it, so the first axis label shows whole.
    [['hasim-plot-clip', 1], ['hasim-text-clip', 18]].forEach(function (c) {
      var clip = document.createElementNS(NS, 'clipPath');
      clip.setAttribute('id', c[0]);
      var r = document.createElementNS(NS, 'rect');
      r.setAttribute('x', L - c[1]); r.setAttribute('y', 0);
      r.setAttribute('width', vb.width - L + c[1]); r.setAttribute('height', vb.height);
      clip.appendChild(r); defs.appendChild(clip);
    });
    Array.prototype.forEach.call(svg.querySelectorAll('rect,line,circle,text,path'), function (el) {
      if (el.closest('defs') || el.hasAttribute('data-fixed')) return;
      var tag = el.tagName, it = { el: el, tag: tag };
      if (tag === 'rect') { it.x = num(el, 'x'); it.w = num(el, 'width'); if (!(it.x >= L - 0.5)) return; }
      else if (tag === 'line') { it.x1 = num(el, 'x1'); it.x2 = num(el, 'x2'); if (!(Math.min(it.x1, it.x2) >= L - 0.5)) return; }
      else if (tag === 'circle') { it.cx = num(el, 'cx'); if (!(it.cx >= L - 0.5)) return; }
      else if (tag === 'text') { it.x = num(el, 'x'); if (!(it.x >= L - 0.5)) return; }
      else if (tag === 'path') {
        var d = el.getAttribute('d');
        if (!d || !/^M/.test(d)) return;
        it.d = parsePath(d);
        if (!(parseFloat(it.d[1]) >= L - 6)) return;
      }
      el.setAttribute('clip-path', tag === 'text' ? 'url(#hasim-text-clip)' : 'url(#hasim-plot-clip)');
      items.push(it);
    });
  }
  function mapper() {
    var k = END / (view.t1 - view.t0);
    var a = (view.t0 / END) * (R - L);
    return { k: k, f: function (x) { return L + (x - L - a) * k; } };
  }
  function apply() {
    var m = mapper(), f = m.f;
    items.forEach(function (it) {
      var el = it.el;
      if (it.tag === 'rect') { el.setAttribute('x', f(it.x)); el.setAttribute('width', Math.max(0.5, it.w * m.k)); }
      else if (it.tag === 'line') { el.setAttribute('x1', f(it.x1)); el.setAttribute('x2', f(it.x2)); }
      else if (it.tag === 'circle') el.setAttribute('cx', f(it.cx));
      else if (it.tag === 'text') el.setAttribute('x', f(it.x));
      else if (it.tag === 'path') {
        var out = [], cmd = '', n = 0;
        // A marker keeps its shape: all its points move as its first one does.
        var shift = null;
        if (el.hasAttribute('data-shift')) {
          // Its centre is the midpoint of its first two points (the triangle's top edge).
          var xc = (parseFloat(it.d[1]) + parseFloat(it.d[4])) / 2;
          shift = f(xc) - xc;
        }
        var fx = function (v) { return shift === null ? f(v) : v + shift; };
        it.d.forEach(function (tok) {
          if (/[MLHVZ]/.test(tok)) { cmd = tok; n = 0; out.push(tok); return; }
          var v = parseFloat(tok);
          var isX = cmd === 'H' || ((cmd === 'M' || cmd === 'L') && n % 2 === 0);
          out.push((isX ? fx(v) : v).toFixed(1) + ((cmd === 'M' || cmd === 'L') && n % 2 === 0 ? ',' : ' '));
          n++;
        });
        el.setAttribute('d', out.join('').replace(/ $/, ''));
      }
    });
    ticks();
    if (label) label.textContent = 'Showing ' + clock(view.t0) + '–' + clock(view.t1) + (view.t1 - view.t0 < END ? ' (zoom ' + (END / (view.t1 - view.t0)).toFixed(1) + '×)' : '') + '. Drag to pan, double-click to zoom in.';
  }
  // Zoomed in, the axes get ticks at a step that suits the window (1 s to 1 h), instead of the whole run's.
  var STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map(function (x) { return x * 1000; });
  function ticks() {
    var zoomed = view.t1 - view.t0 < END * 0.99;
    Array.prototype.forEach.call(svg.querySelectorAll('g.axis-ticks'), function (g) {
      Array.prototype.forEach.call(g.querySelectorAll('.ztick'), function (n) { g.removeChild(n); });
      Array.prototype.forEach.call(g.children, function (n) { if (!n.hasAttribute('data-fixed')) n.style.display = zoomed ? 'none' : ''; });
      if (!zoomed) return;
      var span = view.t1 - view.t0;
      var step = STEPS.filter(function (st) { return span / st <= 10; })[0] || 3600000;
      var y = +g.getAttribute('data-y'), top = g.getAttribute('data-side') === 'top';
      for (var t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
        var x = L + ((t - view.t0) / span) * (R - L);
        var tick = document.createElementNS(NS, 'line');
        tick.setAttribute('class', 'ztick'); tick.setAttribute('stroke', '#9aa5b1');
        tick.setAttribute('x1', x); tick.setAttribute('x2', x); tick.setAttribute('y1', y); tick.setAttribute('y2', top ? y - 4 : y + 4);
        var text = document.createElementNS(NS, 'text');
        text.setAttribute('class', 'ztick'); text.setAttribute('x', x); text.setAttribute('y', top ? y - 7 : y + 15);
        text.setAttribute('text-anchor', 'middle');
        text.textContent = clock(t);
        g.appendChild(tick); g.appendChild(text);
      }
    });
  }
  function clock(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    var mm = (m < 10 ? '0' : '') + m + ':' + (sec < 10 ? '0' : '') + sec;
    return h ? h + ':' + mm : mm;
  }
  function setView(t0, t1) {
    var span = Math.max(1000, Math.min(END, t1 - t0));
    t0 = Math.max(0, Math.min(END - span, t0));
    view = { t0: t0, t1: t0 + span };
    apply();
  }
  function zoomAt(t, factor) {
    var span = (view.t1 - view.t0) / factor;
    var share = (t - view.t0) / (view.t1 - view.t0);
    setView(t - share * span, t - share * span + span);
  }
  function timeAt(clientX) {
    var pt = svg.createSVGPoint(); pt.x = clientX; pt.y = 0;
    var x = pt.matrixTransform(svg.getScreenCTM().inverse()).x;
    return view.t0 + ((x - L) / (R - L)) * (view.t1 - view.t0);
  }
  if (svg && END > 0) {
    collect();
    bar = document.createElement('div');
    bar.className = 'zoombar';
    [['−', 'zoom-out', 0.5], ['+', 'zoom-in', 2], ['reset', 'zoom-reset', 0]].forEach(function (b) {
      var btn = document.createElement('button');
      btn.type = 'button'; btn.textContent = b[0]; btn.id = b[1];
      btn.addEventListener('click', function () {
        if (b[2]) zoomAt((view.t0 + view.t1) / 2, b[2]); else setView(0, END);
      });
      bar.appendChild(btn);
    });
    label = document.createElement('span');
    label.className = 'zoomlabel';
    bar.appendChild(label);
    svg.parentNode.insertBefore(bar, svg);
    var drag = null;
    svg.addEventListener('mousedown', function (e) { drag = { x: e.clientX, t0: view.t0, t1: view.t1 }; svg.classList.add('dragging'); e.preventDefault(); });
    window.addEventListener('mouseup', function () { drag = null; svg.classList.remove('dragging'); });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var dt = timeAt(drag.x) - timeAt(e.clientX);
      setView(drag.t0 + dt, drag.t1 + dt);
      drag.x = e.clientX; drag.t0 = view.t0; drag.t1 = view.t1;
    });
    svg.addEventListener('dblclick', function (e) { zoomAt(timeAt(e.clientX), 2); });
    apply();
  }

  // 3. From a broken SLO to the moment it broke: zoom there and mark it.
  var mark;
  Array.prototype.forEach.call(document.querySelectorAll('a.jump[data-t]'), function (a) {
    a.addEventListener('click', function (e) {
      if (!svg) return;
      e.preventDefault();
      var t = +a.getAttribute('data-t');
      var span = Math.max(60000, END / 8);
      if (!mark) {
        mark = document.createElementNS(NS, 'line');
        mark.setAttribute('stroke', '#c53030'); mark.setAttribute('stroke-width', 2.5);
        mark.setAttribute('y1', 0); mark.setAttribute('y2', svg.viewBox.baseVal.height);
        mark.setAttribute('class', 'jump-mark');
        svg.appendChild(mark);
        items.push({ el: mark, tag: 'line' });
      }
      var x = L + (t / END) * (R - L);
      var it = items[items.length - 1];
      it.x1 = x; it.x2 = x;
      mark.setAttribute('clip-path', 'url(#hasim-plot-clip)');
      setView(t - span / 2, t + span / 2);
      (bar || svg).scrollIntoView({ behavior: 'auto', block: 'start' });
    });
  });

  // 4. The per-pod table: keep the rows that contain every word typed.
  var input = document.querySelector('.podfilter input');
  if (input) {
    var rows = document.querySelectorAll('table.pods tbody tr');
    var count = document.querySelector('.podfilter .count');
    input.addEventListener('input', function () {
      var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(rows, function (tr) {
        var text = tr.textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        tr.style.display = ok ? '' : 'none';
        if (ok) shown++;
      });
      if (count) count.textContent = shown + ' of ' + rows.length + ' pods';
    });
  }
})();
`;
