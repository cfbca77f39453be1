/**
 * What the show simulator runs inside the panel's page, installed before the panel's own scripts: a record of every
 * long task, and timers that click, type and watch the page without leaving it (performance.now, MutationObserver),
 * so the driver's round trips add nothing to a figure. Plain JavaScript in a string: bench/ is compiled without the DOM.
 */
export const PAGE_SCRIPT = String.raw`(() => {
  sessionStorage.setItem('assethub.view', 'overview');
  const longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });

  /** Resolves with ms from now once done() returns a value, or rejects after limit ms; start() runs once observing. */
  const watch = (done, start, limit, what) => new Promise((resolve, reject) => {
    const started = performance.now();
    const check = () => {
      const value = done();
      if (value === null) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, value });
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error(what() + ' within ' + limit + ' ms')); }, limit);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    start();
    check();
  });

  const count = (s) => Number(String(s ?? '').replace(/[^0-9]/g, ''));
  /** Resolves with the element once it is there (checked every 50 ms). */
  const present = (sel, limit) => new Promise((resolve, reject) => {
    const deadline = performance.now() + limit;
    const timer = setInterval(() => {
      const e = document.querySelector(sel);
      if (e) {
        clearInterval(timer);
        resolve(e);
      } else if (performance.now() > deadline) {
        clearInterval(timer);
        reject(new Error(sel + ': not there within ' + limit + ' ms'));
      }
    }, 50);
  });
  window.__show = {
    /** A value typed into an input or chosen in a select, as React hears it (its own value setter, then the events). */
    async fill(sel, value, limit) {
      const e = await present(sel, limit);
      const proto = e instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, value);
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
      if (e.value !== value) throw new Error(sel + ': has no ' + JSON.stringify(value));
      return true;
    },
    /** Clicks the element once it is there; then waits until the element "until" names is there. */
    async click(sel, until, limit) {
      (await present(sel, limit)).click();
      await present(until, limit);
      return true;
    },
    present: (sel, limit) => present(sel, limit).then(() => true),
    longTasks(since) {
      const tasks = longtasks.filter((t) => t.start >= since);
      return { longest: Math.max(0, ...tasks.map((t) => t.duration)), count: tasks.length, total: tasks.reduce((n, t) => n + t.duration, 0) };
    },
    /** performance.now() once the server card says n reporting and n discovered (checked every 50 ms). */
    fullyRendered(n, limit) {
      return new Promise((resolve, reject) => {
        const deadline = performance.now() + limit;
        const timer = setInterval(() => {
          const text = document.querySelector('[data-testid="server-clients"]')?.textContent ?? '';
          const m = /([0-9][0-9,.\s]*) reporting.*?([0-9][0-9,.\s]*) discovered/.exec(text);
          if (m && count(m[1]) >= n && count(m[2]) >= n) {
            clearInterval(timer);
            resolve(performance.now());
          } else if (performance.now() > deadline) {
            clearInterval(timer);
            reject(new Error('the Overview did not show ' + n + ' machines reporting and discovered within ' + limit + ' ms: "' + text + '"'));
          }
        }, 50);
      });
    },
    /** Resolves once the element is there, enabled and not busy (checked every 50 ms). */
    ready(sel, limit) {
      return new Promise((resolve, reject) => {
        const deadline = performance.now() + limit;
        const timer = setInterval(() => {
          const i = document.querySelector(sel);
          // The filter applied (one machine shown): before that the switch may be the unfiltered list's, replaced
          // under the click.
          const one = document.querySelectorAll('[data-testid="ws-machine"]').length === 1;
          if (one && i !== null && !i.disabled && i.getAttribute('aria-busy') !== 'true') {
            clearInterval(timer);
            resolve(true);
          } else if (performance.now() > deadline) {
            clearInterval(timer);
            reject(new Error(sel + ': not ready within ' + limit + ' ms'));
          }
        }, 50);
      });
    },
    async toggle(sel, limit) {
      const input = document.querySelector(sel);
      const want = !input.checked;
      const r = await watch(() => {
        const now = document.querySelector(sel);
        return now && now.getAttribute('aria-busy') !== 'true' && now.checked === want && now.getAttribute('aria-checked') === String(want) ? true : null;
      }, () => input.click(), limit, () => 'AutoPull switch ' + sel + ': no confirmation');
      return r.ms;
    },
    /** The bulk result: its data-* counts where the panel gives them, else its items. */
    bulkState() {
      const result = document.querySelector('[data-testid="bulk-result"]');
      if (!result) return null;
      const attr = (k) => (result.dataset[k] === undefined ? null : Number(result.dataset[k]));
      const total = attr('total');
      if (total !== null) {
        const confirmed = attr('confirmed') ?? 0;
        const failed = (attr('refused') ?? 0) + (attr('silent') ?? 0);
        return { total, confirmed, failed, pending: attr('pending') ?? total - confirmed - failed };
      }
      const codes = {};
      for (const c of result.querySelectorAll('li.ws-bulk-failed code')) codes[c.textContent] = (codes[c.textContent] ?? 0) + 1;
      return {
        total: result.querySelectorAll('li').length,
        confirmed: result.querySelectorAll('li.ws-bulk-ok').length,
        failed: result.querySelectorAll('li.ws-bulk-failed').length,
        pending: result.querySelectorAll('li.ws-bulk-pending').length,
        codes,
      };
    },
    async bulk(limit) {
      const button = document.querySelector('[data-testid="bulk-apply"]');
      const r = await watch(() => {
        const s = window.__show.bulkState();
        return s && s.total > 0 && s.pending === 0 ? s : null;
      }, () => button.click(), limit, () => 'bulk AutoPull: still pending (' + JSON.stringify(window.__show.bulkState()) + ')');
      return { ms: r.ms, total: r.value.total, confirmed: r.value.confirmed, failed: r.value.failed, codes: r.value.codes ?? {} };
    },
  };
})();`;
