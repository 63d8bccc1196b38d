import { palette } from './html-markup.js';

/** The page's only stylesheet, inline: the CSP allows inline styles and nothing else. */
export const reportStyles = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; font-size: 15px; line-height: 1.45; color: #1f2328; background: #f6f8fa; }
body { margin: 0; }
.page { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem 2rem; }
h1 { font-size: 1.5rem; margin: .35rem 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
section { margin: 1.25rem 0; padding: 1rem 1.25rem; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.banner { padding: 1.25rem 0 1rem; border-bottom: 4px solid #8c959f; background: #fff; }
.banner .page { padding-bottom: 0; display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end; justify-content: space-between; }
.verdict-pass { border-color: #2da44e; background: linear-gradient(#dafbe1, #fff); }
.verdict-fail, .verdict-error { border-color: #cf222e; background: linear-gradient(#ffebe9, #fff); }
.verdict-inconclusive { border-color: #bf8700; background: linear-gradient(#fff8c5, #fff); }
.verdict-label { display: inline-block; padding: .15rem .7rem; border-radius: 999px; font-size: .85rem; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: #fff; background: #6e7781; }
.verdict-pass .verdict-label { background: #1a7f37; }
.verdict-fail .verdict-label, .verdict-error .verdict-label { background: #cf222e; }
.verdict-inconclusive .verdict-label { background: #9a6700; }
.subtitle { margin: 0; color: #59636e; }
.summary { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .6rem 0 0; font-size: .9rem; }
.summary div { display: flex; gap: .35rem; }
.summary dt { color: #59636e; }
.summary dd { margin: 0; font-weight: 600; }
.stats { display: flex; gap: .6rem; list-style: none; margin: 0; padding: 0; }
.stat { min-width: 5.5rem; padding: .5rem .75rem; border-radius: 8px; background: #fff; border: 1px solid #d0d7de; text-align: center; font-size: .8rem; color: #59636e; }
.stat strong { display: block; font-size: 1.5rem; line-height: 1.2; color: #1f2328; }
.stat-pass strong { color: #1a7f37; } .stat-fail strong { color: #cf222e; } .stat-nodata strong { color: #9a6700; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #d8dee4; padding: .45rem .75rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #d0d7de; color: #59636e; font-size: .85rem; font-weight: 600; overflow-wrap: anywhere; }
tbody th { font-weight: 500; overflow-wrap: anywhere; }
td.number, td[data-value] { text-align: right; white-space: nowrap; }
#slo-matrix td { min-width: 8rem; }
.status-pass, .status-fail, .status-nodata { font-weight: 600; }
.status-pass { background: #dafbe1; color: #116329; }
.status-fail { background: #ffebe9; color: #a40e26; }
.status-nodata { background: #fff8c5; color: #7d4e00; }
.status-absent { color: #8c959f; }
.task-failed, .task-error, .task-interrupted { background: #ffebe9; }
.task-not-run { background: #fff8c5; }
.limit, .muted { color: #59636e; font-weight: 400; }
.empty { font-style: italic; color: #59636e; margin: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 1rem; }
.card { margin: 0; padding: .75rem; border: 1px solid #d8dee4; border-radius: 6px; background: #fff; }
figcaption { font-size: .9rem; font-weight: 600; margin-bottom: .25rem; overflow-wrap: anywhere; }
svg.trend, svg.histogram { display: block; width: 100%; height: auto; font-size: 11px; }
svg .axis { stroke: #8c959f; stroke-width: 1; }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg text { fill: #59636e; }
svg .limit-line { stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 5 4; }
svg .limit-label { fill: #cf222e; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.trend polyline { fill: none; stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
svg.trend circle { stroke: #fff; stroke-width: 1.5; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .35rem 1rem; padding: 0; margin: .35rem 0 0; font-size: .85rem; }
.legend li { overflow-wrap: anywhere; }
.swatch { display: inline-block; width: .75rem; height: .75rem; margin-right: .35rem; border-radius: 2px; vertical-align: -1px; }
${palette
  .map(
    (colour, i) =>
      `.series-${i} { stroke: ${colour}; fill: ${colour}; } .swatch.series-${i} { background: ${colour}; } svg.trend polyline.series-${i} { fill: none; }`,
  )
  .join('\n')}
details { margin: .5rem 0; }
summary { cursor: pointer; font-weight: 600; overflow-wrap: anywhere; }
.queries td { vertical-align: top; }
.queries pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 70ch; }
.error-text { color: #a40e26; }
#warnings li { overflow-wrap: anywhere; }
footer { margin-top: 1.5rem; font-size: .8rem; color: #59636e; overflow-wrap: anywhere; }
`;
