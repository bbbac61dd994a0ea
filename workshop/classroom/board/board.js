// The classroom board in the browser: learners × steps, redrawn from every snapshot the server
// pushes (`event: board` on /api/events), without a reload. Everything from the server (names,
// messages) goes in as text: textContent and attributes, never innerHTML.
/* global document, window, location, fetch, getComputedStyle, EventSource, URLSearchParams, setTimeout, setInterval, performance */
(function () {
  'use strict';
  const token = new URLSearchParams(location.search).get('token') || '';
  const withToken = (path) => path + '?token=' + encodeURIComponent(token);
  const byId = (id) => document.getElementById(id);

  const grid = byId('grid');
  const area = byId('grid-area');
  let snapshot; // the newest BoardSnapshot shown
  let receivedAt = 0; // performance.now() when it came, to age the stuck times between snapshots
  let selected; // { learner, step }: the cell whose checks the side panel shows
  let events;

  const STATES = {
    loading: 'connecting…',
    live: 'live',
    reconnecting: 'reconnecting…',
    offline: 'offline, retrying…',
    denied: 'no access',
  };

  function setState(state) {
    document.body.dataset.state = state;
    byId('connection').textContent = STATES[state];
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
  const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  /** Minutes from `iso` to now, on the server's clock (its snapshot time, aged by the time since it came). */
  function minutesSince(iso) {
    const now = Date.parse(snapshot.at) + (performance.now() - receivedAt);
    return Math.max(0, Math.floor((now - Date.parse(iso)) / 60000));
  }

  function show(next) {
    // An older snapshot (the first load arriving after an event) must not undo a newer one.
    if (snapshot && Date.parse(next.at) < Date.parse(snapshot.at)) return;
    snapshot = next;
    receivedAt = performance.now();
    render();
  }

  function render() {
    if (!snapshot) return;
    const { steps, learners } = snapshot;
    byId('learner-count').textContent = plural(learners.length, 'learner');
    const updated = byId('updated');
    updated.dateTime = snapshot.at;
    updated.textContent = clock(snapshot.at);
    const notice = byId('notice');
    notice.hidden = learners.length > 0;
    notice.textContent = 'No learners yet. Each joins with: npm start -- join <the join address npm run classroom printed> --name <their name>';
    // The rows are drawn anew: a cell that had the keyboard's focus gets it back.
    const focused = document.activeElement && document.activeElement.closest('td.cell[data-learner]');
    const refocus = focused ? { learner: focused.dataset.learner, step: focused.dataset.step } : undefined;
    grid.tHead.replaceChildren(...headRows(steps));
    grid.tBodies[0].replaceChildren(...learners.map((learner) => learnerRow(learner, steps)));
    if (refocus) {
      const again = Array.from(grid.querySelectorAll('td.cell[data-learner]')).find((td) => td.dataset.learner === refocus.learner && td.dataset.step === refocus.step);
      if (again) again.focus();
    }
    renderCommon(steps);
    renderDetails();
    fit();
    document.body.dataset.at = snapshot.at;
    document.body.dataset.learners = String(learners.length);
  }

  function headRows(steps) {
    const lessons = make('tr', 'lessons');
    const ids = make('tr', 'steps');
    const summary = make('tr', 'summary');
    const corner = make('th', 'corner', 'Learner');
    corner.rowSpan = 2;
    lessons.append(corner);
    let group;
    for (const step of steps) {
      if (!group || group.dataset.lesson !== step.lesson) {
        group = make('th', 'lesson', 'Lesson ' + step.lesson);
        group.dataset.lesson = step.lesson;
        lessons.append(group);
      } else group.colSpan += 1;
      const th = make('th', 'step', step.id);
      th.title = step.id + ': ' + step.title;
      th.scope = 'col';
      ids.append(th);
    }
    const label = make('th', 'summary-label');
    label.append(make('span', 'sum-passed', '✓ passed'), make('span', 'sum-common', '✗ most common failure'));
    summary.append(label);
    for (const step of steps) summary.append(summaryCell(step));
    return [lessons, ids, summary];
  }

  function summaryCell(step) {
    const sum = snapshot.summary[step.id] || { passed: 0, failing: 0 };
    const td = make('td', 'sum');
    td.dataset.step = step.id;
    td.append(make('span', 'sum-passed', sum.passed + sum.failing > 0 ? sum.passed + ' ✓' : '–'));
    const common = sum.commonFailure;
    if (common) {
      td.append(make('span', 'sum-common', '✗ ' + common.learners));
      td.title = step.id + ' · ' + plural(common.learners, 'learner') + ' failing ' + common.check + ': ' + common.message;
    } else {
      td.title = step.id + ': ' + plural(sum.passed, 'learner') + ' passed, ' + sum.failing + ' failing';
    }
    return td;
  }

  function learnerRow(learner, steps) {
    const row = make('tr', learner.stuck ? 'learner stuck' : 'learner');
    row.dataset.learner = learner.id;
    const name = make('th', 'name');
    name.scope = 'row';
    const line = make('div', 'name-line');
    line.append(make('span', 'learner-name', learner.name));
    if (learner.stuck) {
      line.append(make('span', 'stuck-note', 'stuck on ' + learner.stuck.step + ' for ' + minutesSince(learner.stuck.since) + ' min'));
    }
    name.title = learner.name + ' · joined ' + clock(learner.joinedAt) + ', last seen ' + clock(learner.lastSeen);
    name.append(line);
    row.append(name);
    for (const step of steps) row.append(cell(learner, step));
    return row;
  }

  function cell(learner, step) {
    const result = learner.steps[step.id];
    const status = result ? result.status : 'none';
    const td = make('td', 'cell ' + status);
    td.dataset.learner = learner.id;
    td.dataset.step = step.id;
    td.dataset.status = status;
    const current = learner.current === step.id;
    if (current) td.classList.add('current');
    if (learner.stuck && learner.stuck.step === step.id) td.classList.add('stuck-step');
    if (selected && selected.learner === learner.id && selected.step === step.id) td.classList.add('selected');
    if (!result) td.textContent = '·';
    else if (status === 'passed') td.textContent = '✓';
    else if (status === 'failed') td.textContent = '✗ ' + result.passed + '/' + result.checks;
    else td.textContent = '! error';
    td.title = learner.name + ' · ' + step.id + (current ? ' (current step)' : '') + '\n' + describe(result).join('\n');
    if (result) {
      td.tabIndex = 0;
      td.setAttribute('role', 'button');
    }
    return td;
  }

  /** What a learner's result for a step says, one line each: the verdict, then every failing check. */
  function describe(result) {
    if (!result) return ['not started'];
    const verdict =
      result.status === 'error'
        ? 'error: the checks could not judge the code (it did not load, or the run stopped)'
        : result.passed + ' of ' + result.checks + ' checks pass';
    return [verdict + ', ' + plural(result.runs, 'run')].concat(result.failing.map((f) => '✗ ' + f.check + ': ' + f.message));
  }

  function renderCommon(steps) {
    const list = byId('common-failures');
    const items = [];
    const failing = steps.filter((step) => (snapshot.summary[step.id] || {}).commonFailure);
    // The failure most learners share first; steps in the workshop's order among equals.
    failing.sort((a, b) => snapshot.summary[b.id].commonFailure.learners - snapshot.summary[a.id].commonFailure.learners);
    for (const step of failing) {
      const common = snapshot.summary[step.id].commonFailure;
      const item = make('li');
      item.dataset.step = step.id;
      item.title = step.id + ' ' + step.title + '\n' + common.check + ': ' + common.message;
      item.append(make('span', 'step-id', step.id), make('span', 'count', plural(common.learners, 'learner') + ': '), make('span', 'message', common.message));
      items.push(item);
    }
    list.replaceChildren(...items);
    byId('no-failures').hidden = items.length > 0;
  }

  function renderDetails() {
    const panel = byId('details');
    const learner = selected && snapshot.learners.find((candidate) => candidate.id === selected.learner);
    if (!learner) {
      panel.hidden = true;
      return;
    }
    const result = learner.steps[selected.step];
    const lines = describe(result);
    byId('details-title').textContent = learner.name + ' · ' + selected.step + ': ' + lines[0];
    const checks = byId('details-checks');
    checks.replaceChildren(
      ...(result ? result.failing : []).map((failing) => {
        const item = make('li');
        item.append(make('strong', 'check', failing.check), make('span', 'message', failing.message));
        return item;
      }),
    );
    panel.hidden = false;
  }

  function choose(target) {
    const td = target.closest('td.cell[data-learner]');
    if (!td) return;
    const same = selected && selected.learner === td.dataset.learner && selected.step === td.dataset.step;
    selected = same ? undefined : { learner: td.dataset.learner, step: td.dataset.step };
    render();
  }

  /** Rows as tall as the screen allows (up to 40 px), so 6 learners fill it and 30 still fit. */
  function fit() {
    const rows = Math.max(1, snapshot.learners.length);
    const spacing = Number.parseFloat(getComputedStyle(grid).borderSpacing.split(' ').pop()) || 0;
    const free = area.clientHeight - grid.tHead.offsetHeight - spacing * (rows + 4);
    const height = Math.max(16, Math.min(40, Math.floor(free / rows)));
    grid.style.setProperty('--row', height + 'px');
  }

  grid.tBodies[0].addEventListener('click', (event) => choose(event.target));
  grid.tBodies[0].addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    choose(event.target);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && selected) {
      selected = undefined;
      render();
    }
  });
  window.addEventListener('resize', () => snapshot && fit());
  // Stuck times go on counting between snapshots.
  setInterval(() => snapshot && snapshot.learners.some((learner) => learner.stuck) && render(), 30000);

  function listen() {
    if (document.body.dataset.state === 'denied') return;
    events = new EventSource(withToken('/api/events'));
    events.addEventListener('open', () => setState('live'));
    events.addEventListener('board', (event) => show(JSON.parse(event.data)));
    events.addEventListener('error', () => {
      if (document.body.dataset.state === 'denied') return;
      // EventSource retries by itself after a broken stream; after a refusal (an HTTP error) it gives up.
      if (events.readyState !== EventSource.CLOSED) return setState('reconnecting');
      setState('offline');
      setTimeout(listen, 5000);
    });
  }

  async function load() {
    let response;
    try {
      response = await fetch(withToken('/api/board'), { cache: 'no-store', headers: { accept: 'application/json' } });
    } catch {
      setState('offline');
      setTimeout(load, 3000);
      return;
    }
    if (response.status === 401 || response.status === 403) {
      setState('denied');
      if (events) events.close();
      const notice = byId('notice');
      notice.textContent = 'This board needs the instructor’s token: open the board address npm run classroom printed (…/board?token=…).';
      notice.hidden = false;
      return;
    }
    if (!response.ok) {
      setState('offline');
      setTimeout(load, 3000);
      return;
    }
    show(await response.json());
  }

  byId('export-csv').href = withToken('/api/export.csv');
  byId('export-json').href = withToken('/api/export.json');
  // Listen first, then load: a change between the two still arrives (and an older load is ignored).
  listen();
  load();
})();
