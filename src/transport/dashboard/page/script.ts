/**
 * The page's script, as plain browser JavaScript in a string (not a compiled function: a bundler's
 * helpers, `__name` and the like, would not exist in the browser). It opens `<path>/live`, keeps
 * the last five minutes of points for its charts, and writes every value with `textContent`:
 * client ids, addresses, subprotocols and tool names come from peers and are never parsed as markup.
 * It holds no backticks and no dollar-brace, so it can live in this template.
 */
export const pageScript = String.raw`(function () {
  'use strict';
  var BASE = document.body.getAttribute('data-base') || '/dashboard';
  var MAX_POINTS = 300, MIN_WINDOW = 60, MAX_EVENTS = 100, MAX_CALLS = 12;
  var CLOSE_MEANING = { '1000': 'normal', '1001': 'going away', '1002': 'protocol error', '1003': 'unsupported data',
    '1005': 'no status', '1006': 'dropped', '1007': 'invalid data', '1008': 'policy', '1009': 'too big',
    '1011': 'server error', '1012': 'restart', '1013': 'try again later' };
  var history = [];

  function $(id) { return document.getElementById(id); }
  function setText(id, text) { var node = $(id); if (node) node.textContent = text; }
  function cell(text, className) {
    var td = document.createElement('td');
    td.textContent = text === undefined || text === null ? '' : String(text);
    if (className) td.className = className;
    return td;
  }
  function badge(text, bad) {
    var td = document.createElement('td'); var span = document.createElement('span');
    span.className = bad ? 'badge bad' : 'badge'; span.textContent = text; td.appendChild(span); return td;
  }
  function fill(bodyId, emptyId, items, row) {
    var body = $(bodyId); var rows = [];
    for (var i = 0; i < items.length; i++) {
      var tr = document.createElement('tr'); var cells = row(items[i]);
      for (var j = 0; j < cells.length; j++) tr.appendChild(cells[j]);
      rows.push(tr);
    }
    body.replaceChildren.apply(body, rows);
    if (emptyId) $(emptyId).hidden = items.length > 0;
    return rows;
  }
  function num(n) { return typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : '–'; }
  function bytes(n) {
    if (typeof n !== 'number') return '–';
    var units = ['B', 'KiB', 'MiB', 'GiB']; var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(Math.round(n)) : n.toFixed(1)) + ' ' + units[i];
  }
  function duration(ms) {
    if (ms < 1) return '< 1 ms';
    if (ms < 1000) return ms.toFixed(ms < 10 ? 1 : 0) + ' ms';
    return (ms / 1000).toFixed(2) + ' s';
  }
  function ago(at, now) {
    var s = Math.max(0, Math.round((now - at) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's ago';
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm ago';
  }
  function clock(at) { return new Date(at).toLocaleTimeString('en-GB'); }
  function short(id) { return typeof id === 'string' && id.length > 13 ? id.slice(0, 8) + '…' : id; }

  function chart(svgId, series, classes, maxId) {
    var svg = $(svgId); var max = 1; var length = 0; var span;
    for (var s = 0; s < series.length; s++) {
      length = Math.max(length, series[s].length);
      for (var i = 0; i < series[s].length; i++) max = Math.max(max, series[s][i]);
    }
    span = Math.max(MIN_WINDOW, length);
    var children = [];
    var ns = 'http://www.w3.org/2000/svg';
    for (var k = 0; k < series.length; k++) {
      var values = series[k]; var points = [];
      for (var p = 0; p < values.length; p++) {
        var x = 600 * (p + span - length) / (span - 1);
        points.push(x.toFixed(1) + ',' + (116 - (values[p] / max) * 108).toFixed(1));
      }
      if (points.length === 0) continue;
      if (k === 0) {
        var area = document.createElementNS(ns, 'polygon');
        area.setAttribute('class', 'area1');
        area.setAttribute('points', points.join(' ') + ' ' + points[points.length - 1].split(',')[0] + ',120 ' + points[0].split(',')[0] + ',120');
        children.push(area);
      }
      var line = document.createElementNS(ns, 'polyline');
      line.setAttribute('class', classes[k]); line.setAttribute('points', points.join(' '));
      children.push(line);
    }
    svg.replaceChildren.apply(svg, children);
    setText(maxId, 'max ' + num(max));
  }

  function renderCharts() {
    chart('chart-clients', [history.map(function (p) { return p.clients; })], ['line1'], 'chart-clients-max');
    chart('chart-rates', [history.map(function (p) { return p.messagesInPerSec; }), history.map(function (p) { return p.messagesOutPerSec; })],
      ['line1', 'line2'], 'chart-rates-max');
  }

  function onSnapshot(s) {
    var now = s.at;
    setText('node-id', s.node ? 'node ' + s.node : '');
    setText('uptime', 'up ' + ago(now - s.uptimeMs, now).replace(' ago', ''));
    setText('client-count', num(s.clients.count));
    setText('clients-sub', s.cluster ? num(s.cluster.nodes.reduce(function (sum, n) { return sum + n.clients; }, 0)) + ' in the cluster'
      : num(s.clients.connectedTotal) + ' connected, ' + num(s.clients.leftTotal) + ' left');
    setText('rate-in', num(s.point.messagesInPerSec)); setText('messages-in-total', num(s.traffic.messagesIn) + ' total');
    setText('rate-out', num(s.point.messagesOutPerSec)); setText('messages-out-total', num(s.traffic.messagesOut) + ' total');
    setText('bytes-in-rate', bytes(s.point.bytesInPerSec)); setText('bytes-in-total', bytes(s.traffic.bytesIn) + ' total');
    setText('bytes-out-rate', bytes(s.point.bytesOutPerSec)); setText('bytes-out-total', bytes(s.traffic.bytesOut) + ' total');
    setText('slow-count', num(s.slow.length)); setText('queued-bytes', bytes(s.clients.queuedBytes) + ' queued');
    var shown = s.clients.listed.length;
    setText('clients-shown', shown < s.clients.count ? shown + ' of ' + s.clients.count + ' shown' : String(s.clients.count));
    var rows = fill('clients-body', 'clients-empty', s.clients.listed, function (c) {
      return [cell(short(c.id), 'mono'), cell(c.address || '–', 'mono'), cell(c.protocol || '–'), cell(ago(c.connectedAt, now)),
        cell(num(c.messagesIn), 'num'), cell(num(c.messagesOut), 'num'), cell(bytes(c.queuedBytes), 'num')];
    });
    for (var i = 0; i < rows.length; i++) {
      rows[i].setAttribute('data-testid', 'client-row'); rows[i].setAttribute('data-client-id', s.clients.listed[i].id);
      rows[i].title = s.clients.listed[i].id;
    }
    fill('slow-body', 'slow-empty', s.slow, function (c) {
      return [cell(short(c.clientId), 'mono'), cell(c.policy), cell(bytes(c.bufferedAmount), 'num'), cell(num(c.dropped), 'num')];
    });
    var codes = Object.keys(s.closeCodes).map(function (code) { return { code: code, count: s.closeCodes[code] }; });
    setText('left-total', num(s.clients.leftTotal) + ' left');
    fill('close-codes-body', 'close-codes-empty', codes, function (c) {
      return [cell(c.code, 'mono'), cell(CLOSE_MEANING[c.code] || ''), cell(num(c.count), 'num')];
    });
    $('cluster').hidden = !s.cluster;
    if (s.cluster) {
      setText('bus-status', 'bus ' + s.cluster.bus);
      fill('nodes-body', null, s.cluster.nodes, function (n) { return [cell(n.nodeId + (n.self ? ' (this node)' : ''), 'mono'), cell(num(n.clients), 'num')]; })
        .forEach(function (tr) { tr.setAttribute('data-testid', 'node-row'); });
    }
    renderPanels(s.panels || {}, now);
  }

  function renderPanels(panels, now) {
    var mcp = panels.mcp;
    $('mcp').hidden = !mcp;
    if (mcp) {
      setText('session-count', num(mcp.sessions.open) + ' open');
      fill('sessions-body', 'sessions-empty', mcp.sessions.list, function (x) {
        return [cell(short(x.sessionId), 'mono'), cell(x.client || '–'), cell(x.protocolVersion || x.era), cell(ago(x.openedAt, now))];
      });
      setText('tool-total', num(mcp.calls.total) + ' calls');
      fill('tool-calls-body', 'tool-calls-empty', mcp.calls.recent.slice(0, MAX_CALLS), function (c) {
        return [cell(clock(c.at)), cell(c.name, 'mono'), badge(c.outcome, c.outcome !== 'ok'), cell(duration(c.durationMs), 'num'), cell(short(c.sessionId), 'mono')];
      }).forEach(function (tr) { tr.setAttribute('data-testid', 'tool-call-row'); });
      fill('tool-summary-body', null, mcp.calls.byTool, function (t) {
        return [cell(t.name, 'mono'), cell(num(t.calls), 'num'), cell(num(t.failed), 'num'), cell(duration(t.meanMs), 'num'), cell(duration(t.maxMs), 'num')];
      });
    }
    var extra = $('extra-panels'); var sections = [];
    Object.keys(panels).forEach(function (name) {
      if (name === 'mcp') return;
      var section = document.createElement('section'); section.className = 'panel';
      var h2 = document.createElement('h2'); h2.textContent = name;
      var pre = document.createElement('pre'); pre.textContent = JSON.stringify(panels[name], null, 2);
      section.appendChild(h2); section.appendChild(pre); sections.push(section);
    });
    extra.replaceChildren.apply(extra, sections);
  }

  function onEvents(events) {
    var list = $('events');
    for (var i = 0; i < events.length; i++) {
      var e = events[i]; var li = document.createElement('li');
      if (e.warn) li.className = 'warn';
      li.setAttribute('data-kind', e.kind);
      var time = document.createElement('span'); time.className = 'time'; time.textContent = clock(e.at);
      var kind = document.createElement('span'); kind.className = 'kind'; kind.textContent = e.kind;
      var text = document.createElement('span'); text.textContent = (e.clientId ? short(e.clientId) + ' ' : '') + e.text;
      li.appendChild(time); li.appendChild(kind); li.appendChild(text);
      list.insertBefore(li, list.firstChild);
    }
    while (list.childElementCount > MAX_EVENTS) list.removeChild(list.lastChild);
  }

  function status(text, className) { var pill = $('feed-status'); pill.textContent = text; pill.className = 'pill ' + className; }

  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + BASE + '/live';
    var socket = new WebSocket(url);
    socket.onopen = function () { status('live', 'live'); };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.type === 'hello') {
        history = data.history.slice(-MAX_POINTS);
        $('events').replaceChildren(); onEvents(data.events);
        if (data.snapshot) onSnapshot(data.snapshot);
        renderCharts();
      } else if (data.type === 'snapshot') {
        history.push(data.point); if (history.length > MAX_POINTS) history.shift();
        onSnapshot(data); renderCharts();
      } else if (data.type === 'events') {
        onEvents(data.events);
      }
    };
    socket.onclose = function () { status('disconnected', 'down'); setTimeout(connect, 2000); };
  }
  connect();
})();
`;
