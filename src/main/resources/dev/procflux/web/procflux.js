// The procflux page: lists the actions, runs one through /actions/{name}/stream and shows its output live.
// Uses fetch() and reads text/event-stream itself, so that a bearer token can be sent and stdin can be posted.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const tokenInput = $('token');
  tokenInput.value = sessionStorage.getItem('procflux-token') || '';
  tokenInput.addEventListener('change', () => {
    sessionStorage.setItem('procflux-token', tokenInput.value);
    load();
  });
  let actions = [];
  let current = null;
  let controller = null;

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    if (tokenInput.value) {
      h['Authorization'] = 'Bearer ' + tokenInput.value.trim();
    }
    return h;
  }

  function element(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  async function load() {
    const list = $('actions');
    const response = await fetch('actions', { headers: headers() });
    list.replaceChildren();
    if (!response.ok) {
      list.appendChild(element('li', 'cannot list the actions: HTTP ' + response.status, 'muted'));
      return;
    }
    actions = (await response.json()).actions;
    for (const action of actions) {
      const li = element('li');
      const button = element('button', action.name);
      button.type = 'button';
      button.id = 'select-' + action.name;
      button.addEventListener('click', () => select(action.name));
      li.appendChild(button);
      li.appendChild(element('span', ' ' + action.description, 'muted'));
      list.appendChild(li);
    }
    const params = new URLSearchParams(location.search);
    if (params.has('action')) {
      select(params.get('action'));
      for (const [name, value] of params) {
        const input = $('param-' + name);
        if (input) input.value = value;
      }
      // a link may fill in the form, never run it: running takes the user's click on Run
      $('run').focus();
    }
  }

  function select(name) {
    current = actions.find((a) => a.name === name) || null;
    if (!current) return;
    $('form').hidden = false;
    $('action-name').textContent = current.name;
    $('action-description').textContent = current.description;
    const box = $('parameters');
    box.replaceChildren();
    for (const p of current.parameters) {
      const label = element('label', p.name + ' ');
      label.htmlFor = 'param-' + p.name;
      label.appendChild(element('span', p.rule + (p.description ? ' — ' + p.description : ''), 'rule'));
      const input = element('input');
      input.type = 'text';
      input.id = 'param-' + p.name;
      input.name = p.name;
      input.value = p.default === null ? '' : p.default;
      box.appendChild(label);
      box.appendChild(input);
    }
    $('stdin-field').hidden = !current.stdin;
  }

  function append(text, cls) {
    const span = element('span', text, cls);
    $('output').appendChild(span);
  }

  function show(event, data) {
    const value = JSON.parse(data);
    if (event === 'stdout') append(value.text);
    else if (event === 'stderr') append(value.text, 'stderr');
    else if (event === 'exit') {
      $('status').textContent = 'exit ' + value.exitCode + (value.signal ? ' (signal ' + value.signal + ')' : '')
        + ' after ' + value.durationMs + ' ms';
      $('status').dataset.state = 'exited';
    } else if (event === 'error') {
      $('status').textContent = 'error ' + value.status + ': ' + value.message;
      $('status').dataset.state = 'failed';
    }
  }

  async function run() {
    if (!current) return;
    const query = new URLSearchParams();
    for (const p of current.parameters) {
      const v = $('param-' + p.name).value;
      if (v !== '' || p.default === null) query.set(p.name, v);
    }
    $('output').replaceChildren();
    $('status').textContent = 'running…';
    $('status').dataset.state = 'running';
    $('run').disabled = true;
    $('stop').disabled = false;
    controller = new AbortController();
    try {
      const response = await fetch('actions/' + encodeURIComponent(current.name) + '/stream?' + query, {
        method: 'POST',
        headers: headers({ 'Accept': 'text/event-stream' }),
        body: current.stdin ? $('stdin').value : undefined,
        signal: controller.signal,
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({ message: response.statusText }));
        $('status').textContent = 'HTTP ' + response.status + ': ' + body.message;
        $('status').dataset.state = 'failed';
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = null;
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = (data === null ? '' : data) + line.slice(6);
          }
          // a block without data is a heartbeat comment (': ...'): nothing to show, as in EventSource
          if (data !== null) show(event, data);
        }
      }
    } catch (e) {
      if (e.name === 'AbortError') {
        $('status').textContent = 'stopped';
        $('status').dataset.state = 'stopped';
      } else {
        $('status').textContent = 'failed: ' + e.message;
        $('status').dataset.state = 'failed';
      }
    } finally {
      $('run').disabled = false;
      $('stop').disabled = true;
      controller = null;
    }
  }

  $('form').addEventListener('submit', (e) => { e.preventDefault(); run(); });
  $('stop').addEventListener('click', () => { if (controller) controller.abort(); });
  load();
})();
