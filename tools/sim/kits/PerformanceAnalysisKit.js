// @kit.PerformanceAnalysisKit on the host: hilog formats like the device (%{public}s shows the value,
// %{private}s and a bare %s show <private>) and keeps the lines for tests; HILOG=1 also prints them.
const LEVELS = { DEBUG: 3, INFO: 4, WARN: 5, ERROR: 6, FATAL: 7 };

export class HilogSim {
  constructor() {
    this.reset();
  }

  reset() {
    this.lines = [];
  }

  /** Lines at `level` or above whose text contains `needle`. */
  find(needle, level) {
    const min = LEVELS[level || 'DEBUG'];
    return this.lines.filter((l) => LEVELS[l.level] >= min && l.text.includes(needle));
  }
}

export const sim = new HilogSim();

export function formatHilog(format, args) {
  let i = 0;
  return String(format).replace(/%(\{(public|private)\})?([sdfi%])/g, (m, _b, visibility, spec) => {
    if (spec === '%') return '%';
    const v = args[i++];
    if (visibility !== 'public') return '<private>';
    if (spec === 'd' || spec === 'i') return String(Math.trunc(Number(v)));
    return String(v);
  });
}

function log(level) {
  return (domain, tag, format, ...args) => {
    const text = formatHilog(format, args);
    sim.lines.push({ level, domain, tag, text });
    if (process.env.HILOG === '1') console.log(`${level[0]} ${domain.toString(16).toUpperCase()}/${tag}: ${text}`);
  };
}

export const hilog = {
  debug: log('DEBUG'),
  info: log('INFO'),
  warn: log('WARN'),
  error: log('ERROR'),
  fatal: log('FATAL'),
  isLoggable: () => true,
  LogLevel: LEVELS,
};

export default { hilog };
