import { pageMarkup } from './markup.js';
import { pageScript } from './script.js';
import { pageStyle } from './style.js';

/** One file of the page, served as it is. */
export interface PageAsset {
  readonly type: string;
  readonly body: string;
}

/**
 * The page's three files by path: markup, style and script, kept as text in modules (the package
 * ships only compiled JavaScript) and served from the server itself, so the page makes no request
 * anywhere else (its Content-Security-Policy forbids it).
 */
export function dashboardAssets(path: string): ReadonlyMap<string, PageAsset> {
  const html: PageAsset = { type: 'text/html; charset=utf-8', body: pageMarkup(path) };
  return new Map([
    [path, html],
    [`${path}/`, html],
    [`${path}/style.css`, { type: 'text/css; charset=utf-8', body: pageStyle }],
    [`${path}/app.js`, { type: 'text/javascript; charset=utf-8', body: pageScript }],
    [`${path}/icon.svg`, { type: 'image/svg+xml', body: ICON }],
  ]);
}

/** The tab's icon: a small chart line, so the browser asks nothing of the server's other paths. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#17202e"/>' +
  '<polyline points="2,12 6,7 9,9 14,3" fill="none" stroke="#4c8dff" stroke-width="2"/></svg>';
