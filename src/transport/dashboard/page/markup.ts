/**
 * The page's markup: a fixed skeleton the script fills in with `textContent` (never markup). Every
 * value a test reads carries a `data-testid`.
 */
export function pageMarkup(path: string): string {
  const base = escapeHtml(path);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nexus-mcp dashboard</title>
<link rel="stylesheet" href="${base}/style.css">
<link rel="icon" href="${base}/icon.svg" type="image/svg+xml">
</head>
<body data-base="${base}">
<header>
  <div class="brand"><span class="logo">nexus-mcp</span><span class="subtitle">live dashboard</span></div>
  <div class="meta">
    <span class="node" data-testid="node-id" id="node-id"></span>
    <span class="uptime" id="uptime" data-testid="uptime"></span>
    <span class="pill" id="feed-status" data-testid="feed-status">connecting</span>
  </div>
</header>
<main>
  <section class="cards">
    ${card('Clients', 'client-count', 'clients-sub')}
    ${card('Messages in / s', 'rate-in', 'messages-in-total')}
    ${card('Messages out / s', 'rate-out', 'messages-out-total')}
    ${card('Bytes in / s', 'bytes-in-rate', 'bytes-in-total')}
    ${card('Bytes out / s', 'bytes-out-rate', 'bytes-out-total')}
    ${card('Slow consumers', 'slow-count', 'queued-bytes')}
  </section>
  <section class="charts">
    <figure class="chart"><figcaption>Clients <span class="legend"><i class="c1"></i>this node</span></figcaption>
      <svg id="chart-clients" data-testid="chart-clients" viewBox="0 0 600 120" preserveAspectRatio="none"></svg><div class="axis" id="chart-clients-max"></div></figure>
    <figure class="chart"><figcaption>Messages per second <span class="legend"><i class="c1"></i>in <i class="c2"></i>out</span></figcaption>
      <svg id="chart-rates" data-testid="chart-rates" viewBox="0 0 600 120" preserveAspectRatio="none"></svg><div class="axis" id="chart-rates-max"></div></figure>
  </section>
  <section class="panel">
    <h2>Connected clients <span class="count" id="clients-shown"></span></h2>
    <table data-testid="clients-table"><thead><tr><th>Client</th><th>Address</th><th>Subprotocol</th><th>Connected</th><th class="num">In</th><th class="num">Out</th><th class="num">Queued</th></tr></thead>
    <tbody id="clients-body"></tbody></table>
    <p class="empty" id="clients-empty">No clients connected.</p>
  </section>
${tables()}
  <section class="panel">
    <h2>Events</h2>
    <ol class="events" id="events" data-testid="events"></ol>
  </section>
  <div id="extra-panels"></div>
</main>
<script src="${base}/app.js"></script>
</body>
</html>
`;
}

/** The MCP panel (shown when the server has one), slow consumers, close codes and cluster nodes. */
function tables(): string {
  return `  <div class="row mcp" id="mcp" hidden>
    <section class="panel wide">
      <h2>Tool calls <span class="count" id="tool-total"></span></h2>
      <table data-testid="tool-calls"><thead><tr><th>Time</th><th>Tool</th><th>Outcome</th><th class="num">Duration</th><th>Session</th></tr></thead>
      <tbody id="tool-calls-body"></tbody></table>
      <p class="empty" id="tool-calls-empty">No tool calls yet.</p>
      <h3>By tool</h3>
      <table data-testid="tool-summary"><thead><tr><th>Tool</th><th class="num">Calls</th><th class="num">Failed</th><th class="num">Mean</th><th class="num">Max</th></tr></thead>
      <tbody id="tool-summary-body"></tbody></table>
    </section>
    <section class="panel">
      <h2>MCP sessions <span class="count" id="session-count" data-testid="session-count"></span></h2>
      <table data-testid="sessions"><thead><tr><th>Session</th><th>Client</th><th>Protocol</th><th>Opened</th></tr></thead>
      <tbody id="sessions-body"></tbody></table>
      <p class="empty" id="sessions-empty">No open sessions.</p>
    </section>
  </div>
  <div class="row">
    <section class="panel">
      <h2>Slow consumers</h2>
      <table data-testid="slow-table"><thead><tr><th>Client</th><th>Policy</th><th class="num">Buffered</th><th class="num">Dropped</th></tr></thead>
      <tbody id="slow-body"></tbody></table>
      <p class="empty" id="slow-empty">None: every client keeps up.</p>
    </section>
    <section class="panel">
      <h2>Close codes <span class="count" id="left-total"></span></h2>
      <table data-testid="close-codes"><thead><tr><th>Code</th><th>Meaning</th><th class="num">Clients</th></tr></thead>
      <tbody id="close-codes-body"></tbody></table>
      <p class="empty" id="close-codes-empty">No client has left yet.</p>
    </section>
    <section class="panel" id="cluster" hidden>
      <h2>Cluster nodes <span class="count" id="bus-status" data-testid="bus-status"></span></h2>
      <table data-testid="nodes-table"><thead><tr><th>Node</th><th class="num">Clients</th></tr></thead>
      <tbody id="nodes-body"></tbody></table>
    </section>
  </div>`;
}

function card(title: string, valueId: string, subId: string): string {
  return `<div class="card"><div class="card-title">${title}</div><div class="card-value" id="${valueId}" data-testid="${valueId}">–</div><div class="card-sub" id="${subId}" data-testid="${subId}"></div></div>`;
}

/** Text made safe to put inside HTML, in an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
