// The last 24 hours per certificate: totals as text (what a screen reader reads) and 24 hourly bars as SVG
// (sent stacked under failed), drawn by Preact like any other element. Colours come from the stylesheet.
import { formatNumber, formatTime, html, useApp } from '../lib.js';

const W = 240;
const H = 56;
const GAP = 2;

export function StatsChart({ stats }) {
  const { t, lang } = useApp();
  if (!stats.certificates.length) return html`<p class="empty">${t('log.noStats')}</p>`;
  return html`<div>
    <p class="hint">${t('log.statsSince', { since: formatTime(lang, stats.since) })}</p>
    <ul class="stats">
      ${stats.certificates.map((c) => html`<li key=${c.name}><${CertificateChart} c=${c} /></li>`)}
    </ul>
  </div>`;
}

function CertificateChart({ c }) {
  const { t, lang } = useApp();
  const peak = Math.max(1, ...c.hourly.map((h) => h.sent + h.failed));
  const barWidth = (W - GAP * (c.hourly.length - 1)) / Math.max(1, c.hourly.length);
  const id = `chart-${c.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const summary = t('log.chartSummary', { name: c.name, sent: c.sent, failed: c.failed, dropped: c.dropped });
  return html`<figure class="chart" aria-labelledby=${`${id}-caption`}>
    <figcaption id=${`${id}-caption`}><code>${c.name}</code></figcaption>
    <dl class="totals">
      <div><dt><span class="key key-sent" aria-hidden="true"></span>${t('log.sent')}</dt><dd>${formatNumber(lang, c.sent)}</dd></div>
      <div><dt><span class="key key-failed" aria-hidden="true"></span>${t('log.failed')}</dt><dd>${formatNumber(lang, c.failed)}</dd></div>
      <div><dt>${t('log.droppedTotal')}</dt><dd>${formatNumber(lang, c.dropped)}</dd></div>
    </dl>
    <svg viewBox=${`0 0 ${W} ${H}`} width="100%" height=${H} preserveAspectRatio="none" role="img" aria-label=${summary}>
      <title>${summary}</title>
      <line class="axis" x1="0" y1=${H - 0.5} x2=${W} y2=${H - 0.5} />
      ${c.hourly.map((h, i) => {
        const x = i * (barWidth + GAP);
        const sentH = (h.sent / peak) * (H - 2);
        const failedH = (h.failed / peak) * (H - 2);
        const label = t('log.hour', { start: formatTime(lang, h.start), sent: h.sent, failed: h.failed });
        return html`<g key=${h.start}>
          <title>${label}</title>
          <rect class="bar-sent" x=${x} y=${H - 1 - sentH} width=${barWidth} height=${sentH} />
          <rect class="bar-failed" x=${x} y=${H - 1 - sentH - failedH} width=${barWidth} height=${failedH} />
        </g>`;
      })}
    </svg>
  </figure>`;
}
