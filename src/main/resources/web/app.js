// The ERYAO chat page: an example front-end on the public API only, in plain JavaScript (no build
// step, nothing fetched from elsewhere). It signs in with a bearer token, lists models and sessions,
// sends messages as runs (with the registered tools named), follows each run's event stream (its
// tool calls and their results above the answer; a call that needs approval with Approve and Deny),
// stops, regenerates and edits, and shows the points account. Every text from the API is put in the
// page as text (textContent), never as HTML.
'use strict';

(() => {
  const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
  /** Reopening a stream that ended before its run did: at most this many times without news. */
  const MAX_REOPENS = 5;
  const REOPEN_DELAY_MS = 1000;

  const $ = (id) => document.getElementById(id);
  const state = {
    api: '',
    token: null,
    session: null, // the session shown, or null for a new chat
    follower: null, // the run being followed: {taskId, bubble, stream, ...}
    runStatus: new Map(), // task id -> last status this page saw (for messages that do not say it)
    steps: new Map(), // task id of a finished run -> its tool steps (GET .../steps), which no longer change
  };

  // ---- talking to the API -------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function unreachable(cause) {
    const crossOrigin = new URL(state.api).origin !== location.origin;
    return new ApiError(0, `cannot reach the API at ${state.api}: ${cause.message}` + (crossOrigin
      ? ` (the browser refuses an answer that does not let this page's origin ${location.origin} in:`
        + ' the API must list it in ERYAO_SERVER__CORS_ORIGINS)'
      : ''));
  }

  async function problem(response) {
    let detail = response.statusText || `HTTP ${response.status}`;
    try {
      const body = await response.json();
      detail = body.detail || body.title || detail;
    } catch (ignored) {
      // not problem+json: the status line says enough
    }
    return new ApiError(response.status, `${response.status}: ${detail}`);
  }

  /** One API call: JSON in and out, the bearer token on it, a problem's detail as the error. */
  async function call(method, path, body, extraHeaders) {
    const headers = Object.assign({}, extraHeaders);
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(state.api + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw unreachable(e);
    }
    if (!response.ok) throw await problem(response);
    return response.status === 204 ? null : response.json();
  }

  /** Every item of a keyset-paged list. */
  async function all(path) {
    const items = [];
    let cursor = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await call('GET', `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // a page not on a secure origin has no randomUUID
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // ---- the page's state on screen -----------------------------------------------------------

  function showError(error) {
    $('error').textContent = error instanceof Error ? error.message : String(error);
    $('error').hidden = false;
  }

  function clearError() {
    $('error').hidden = true;
    $('error').textContent = '';
  }

  /** Runs an action from a click, showing what went wrong instead of throwing it away. */
  function guarded(action) {
    return async (event) => {
      if (event) event.preventDefault();
      try {
        clearError();
        await action(event);
      } catch (e) {
        showError(e);
        if (e.status === 401) signOut(false);
      }
    };
  }

  function setRunStatus(text, status, taskId) {
    $('run-status').textContent = text;
    $('run-status').dataset.status = status || '';
    $('run-status').dataset.taskId = taskId || '';
  }

  function setBusy(busy) {
    $('send').disabled = busy;
    $('stop').hidden = !busy;
    $('stop').disabled = false;
    document.querySelectorAll('.message .meta button').forEach((b) => { b.disabled = busy; });
  }

  // ---- signing in ---------------------------------------------------------------------------

  /** The token's claims, for showing who is signed in (the API, not the page, checks the token). */
  function claims(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
    } catch (ignored) {
      return {};
    }
  }

  /** The local-token button, when this page is the API's own and the API signs its own tokens. */
  async function offerLocalToken() {
    let offered = false;
    $('local-token').hidden = true;
    $('local-hint').hidden = true;
    delete document.body.dataset.localToken;
    try {
      // The API mints them for its own page only, so another origin is not even asked.
      if (new URL(state.api).origin === location.origin) {
        offered = (await fetch(`${state.api}/local/token`)).status === 204;
      }
    } catch (ignored) {
      // no answer (or no URL): no button
    }
    $('local-token').hidden = !offered;
    $('local-hint').hidden = !offered;
    document.body.dataset.localToken = offered ? 'offered' : 'absent';
  }

  async function localToken() {
    let sub = localStorage.getItem('eryao.local-user');
    if (!sub) {
      sub = uuid();
      localStorage.setItem('eryao.local-user', sub);
    }
    state.token = null;
    const minted = await call('POST', '/local/token', { sub });
    await signIn(minted.access_token);
  }

  async function signIn(token) {
    token = token.trim();
    if (!token) throw new ApiError(0, 'paste an access token first');
    state.token = token;
    await refreshPoints(); // the first call proves the token; a 401 says why it was refused
    sessionStorage.setItem('eryao.token', token);
    sessionStorage.setItem('eryao.api', state.api);
    const who = claims(token);
    $('user').textContent = `signed in as ${who.sub || 'unknown'}`;
    $('sign-in').hidden = true;
    $('chat').hidden = false;
    $('whoami').hidden = false;
    $('points').hidden = false;
    await Promise.all([loadModels(), loadSessions()]);
    newChat();
  }

  function signOut(forget) {
    stopFollowing();
    state.token = null;
    state.session = null;
    sessionStorage.removeItem('eryao.token');
    $('chat').hidden = true;
    $('whoami').hidden = true;
    $('points').hidden = true;
    $('sign-in').hidden = false;
    if (forget) clearError();
  }

  // ---- points, models, sessions -------------------------------------------------------------

  async function refreshPoints() {
    const account = await call('GET', '/v1/points/balance');
    $('balance').textContent = account.balance;
    $('held').textContent = account.held;
    $('available').textContent = account.available;
  }

  /** A refresh nobody waits for (after a run's news): a failure is shown, not thrown. */
  function refreshPointsLater() {
    refreshPoints().catch(showError);
  }

  async function loadModels() {
    const { items } = await call('GET', '/v1/llm/models');
    const select = $('model');
    const chosen = localStorage.getItem('eryao.model');
    select.replaceChildren(...items.map((model) => {
      const option = document.createElement('option');
      option.value = model.id;
      option.textContent = `${model.display_name} (${model.model_code})`
        + ` · ${model.input_price_per_1k}/${model.output_price_per_1k} points per 1k tokens`;
      return option;
    }));
    if (items.some((model) => model.id === chosen)) select.value = chosen;
  }

  async function loadSessions() {
    const sessions = await all('/v1/agent/sessions');
    $('sessions').replaceChildren(...sessions.map((session) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = session.title;
      button.dataset.sessionId = session.id;
      button.setAttribute('aria-current', String(state.session !== null && state.session.id === session.id));
      button.addEventListener('click', guarded(() => openSession(session.id)));
      item.append(button);
      return item;
    }));
  }

  function newChat() {
    stopFollowing();
    state.session = null;
    $('session-title').textContent = 'New chat';
    $('messages').replaceChildren();
    setRunStatus('');
    setBusy(false);
    document.querySelectorAll('#sessions button').forEach((b) => b.setAttribute('aria-current', 'false'));
  }

  async function openSession(id) {
    stopFollowing();
    state.session = await call('GET', `/v1/agent/sessions/${id}`);
    $('session-title').textContent = state.session.title;
    if (state.session.llm_id && [...$('model').options].some((o) => o.value === state.session.llm_id)) {
      $('model').value = state.session.llm_id;
    }
    document.querySelectorAll('#sessions button').forEach((b) => {
      b.setAttribute('aria-current', String(b.dataset.sessionId === id));
    });
    setRunStatus('');
    await showMessages();
    setBusy(false);
    if (state.session.active_run_id) follow(state.session.active_run_id, bubble('assistant', ''));
  }

  /** The session's current branch, as the API has it: each answer with its run's tool calls above it. */
  async function showMessages() {
    const messages = await all(`/v1/agent/sessions/${state.session.id}/messages`);
    const answers = messages.filter((message) => message.role === 'assistant' && message.run_id);
    const steps = await Promise.all(answers.map((message) => toolSteps(message)));
    const stepsOf = new Map(answers.map((message, i) => [message.id, steps[i]]));
    $('messages').replaceChildren();
    for (const message of messages) {
      const item = bubble(message.role, message.content);
      item.dataset.messageId = message.id;
      if (message.run_id) item.dataset.runId = message.run_id;
      for (const step of stepsOf.get(message.id) || []) {
        showResult(stepOf(item, step.tool_call_id, step.tool, step.arguments), step.result, step.error);
      }
      const status = message.run_status || state.runStatus.get(message.run_id);
      if (message.role === 'assistant') markRun(item, status, message.stopped === true || status === 'cancelled');
      addActions(item, message);
    }
  }

  /** The tool calls an answer's run made (GET .../steps), kept once the run has finished. */
  async function toolSteps(message) {
    const kept = state.steps.get(message.run_id);
    if (kept) return kept;
    const { items } = await call('GET', `/v1/agent/runs/${message.run_id}/steps`);
    const tools = items.filter((step) => step.kind === 'tool');
    if (!message.run_status || FINISHED.has(message.run_status)) state.steps.set(message.run_id, tools);
    return tools;
  }

  // ---- messages on screen -------------------------------------------------------------------

  function bubble(role, text) {
    const item = document.createElement('li');
    item.className = `message ${role}`;
    const content = document.createElement('div');
    content.className = 'content';
    content.textContent = text;
    const meta = document.createElement('div');
    meta.className = 'meta';
    const state_ = document.createElement('span');
    state_.className = 'state';
    meta.append(state_);
    item.append(content, meta);
    $('messages').append(item);
    item.scrollIntoView({ block: 'end' });
    return item;
  }

  function markRun(item, status, stopped) {
    if (status) item.dataset.status = status;
    item.classList.toggle('streaming', status === 'queued' || status === 'running');
    item.classList.toggle('stopped', Boolean(stopped));
    item.querySelector('.state').textContent = stopped ? 'stopped' : (status && status !== 'succeeded' ? status : '');
  }

  function actionButton(item, label, handler) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'plain';
    button.textContent = label;
    button.addEventListener('click', guarded(handler));
    item.querySelector('.meta').append(button);
  }

  /**
   * Regenerate on an answer (its run answers the same question again, as a sibling) and on a
   * question whose run ended with no answer; Edit on a question (the new one replaces it as its
   * sibling). Both need what the API says of each message: its run (run_id) and its id.
   */
  function addActions(item, message) {
    const finished = !message.run_status || FINISHED.has(message.run_status);
    if (message.run_id && finished && (message.role === 'assistant' || message.run_status === 'failed')) {
      actionButton(item, 'Regenerate', () => regenerate(item, message));
    }
    if (message.role === 'user' && message.run_id) {
      actionButton(item, 'Edit', () => startEdit(item, message));
    }
  }

  // ---- a run's tool calls, above its answer --------------------------------------------------

  /** The list of an answer's tool calls, above its text (made when the first call is shown). */
  function stepList(item) {
    let list = item.querySelector('.steps');
    if (!list) {
      list = document.createElement('ol');
      list.className = 'steps';
      list.setAttribute('aria-label', 'Tool calls');
      item.querySelector('.content').before(list);
    }
    return list;
  }

  /** The answer's step for the call `id`, made when first seen: the tool's name, its arguments, its result. */
  function stepOf(item, id, tool, args) {
    const list = stepList(item);
    let step = [...list.children].find((shown) => shown.dataset.callId === id);
    if (!step) {
      step = document.createElement('li');
      step.className = 'step';
      step.dataset.callId = id;
      step.dataset.state = 'called';
      const name = document.createElement('code');
      name.className = 'tool';
      const shownArgs = document.createElement('code');
      shownArgs.className = 'arguments';
      const result = document.createElement('div');
      result.className = 'result';
      result.textContent = 'called…';
      step.append(name, shownArgs, result);
      list.append(step);
    }
    if (tool) step.querySelector('.tool').textContent = tool;
    if (args !== undefined && args !== null) step.querySelector('.arguments').textContent = args;
    return step;
  }

  function showResult(step, result, error) {
    step.querySelector('.decide')?.remove();
    step.classList.remove('pending');
    step.classList.toggle('error', Boolean(error));
    step.dataset.state = error ? 'error' : 'done';
    step.querySelector('.result').textContent = `${error ? 'error' : 'result'}: ${result ?? ''}`;
  }

  /** A call the parked run waits on: Approve and Deny (a reason optional) while it is undecided. */
  function showPending(item, taskId, pending) {
    const step = stepOf(item, pending.id, pending.tool, pending.arguments);
    if (step.dataset.state === 'done' || step.dataset.state === 'error') return;
    if (pending.decision) {
      showDecision(step, pending.decision, pending.reason);
      return;
    }
    step.classList.add('pending');
    step.dataset.state = 'pending';
    if (pending.kind !== 'approval') {
      step.querySelector('.result').textContent = 'waits for the client\'s output (POST .../tool-outputs)';
      return;
    }
    step.querySelector('.result').textContent = 'needs your approval';
    if (step.querySelector('.decide')) return;
    const decide = document.createElement('div');
    decide.className = 'decide';
    const label = document.createElement('label');
    label.textContent = 'Reason for a denial (optional)';
    const reason = document.createElement('input');
    reason.type = 'text';
    reason.className = 'reason';
    label.append(reason);
    const approve = decisionButton('Approve', `Approve the call of ${pending.tool}`);
    const deny = decisionButton('Deny', `Deny the call of ${pending.tool}`);
    deny.classList.add('deny');
    const answer = (approved) => guarded(async () => {
      approve.disabled = true;
      deny.disabled = true;
      try {
        const text = reason.value.trim();
        const run = await call('POST', `/v1/agent/runs/${taskId}/approvals`, {
          approvals: [{ tool_call_id: pending.id, approve: approved, reason: !approved && text ? text : undefined }],
        });
        const decided = (run.pending_calls || []).find((c) => c.id === pending.id);
        showDecision(step, decided ? decided.decision : (approved ? 'approved' : 'denied'), approved ? null : text);
      } catch (e) {
        approve.disabled = false;
        deny.disabled = false;
        throw e;
      }
    });
    approve.addEventListener('click', answer(true));
    deny.addEventListener('click', answer(false));
    decide.append(label, approve, deny);
    step.append(decide);
  }

  function decisionButton(label, name) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.setAttribute('aria-label', name);
    return button;
  }

  /** An answered call, until the resumed run shows its result. */
  function showDecision(step, decision, reason) {
    step.querySelector('.decide')?.remove();
    step.classList.remove('pending');
    step.dataset.state = decision;
    step.querySelector('.result').textContent = decision === 'approved'
      ? 'approved: it is called when the run resumes'
      : `${decision}${reason ? `: ${reason}` : ''}`;
  }

  // ---- sending, stopping, regenerating, editing ---------------------------------------------

  async function ensureSession(input) {
    if (state.session) return state.session;
    const title = input.length > 60 ? `${input.slice(0, 57)}...` : input;
    state.session = await call('POST', '/v1/agent/sessions', { title, llm_id: $('model').value || undefined });
    $('session-title').textContent = state.session.title;
    await loadSessions();
    return state.session;
  }

  /** Queues a run (with its own Idempotency-Key, so a retry of this very send cannot run twice). */
  async function startRun(body) {
    const accepted = await call('POST', `/v1/agent/sessions/${state.session.id}/runs`, body,
      { 'Idempotency-Key': uuid() });
    return accepted.task_id;
  }

  /** The registered tools named in the Tools field (comma-separated), or undefined for none. */
  function toolsChosen() {
    const tools = $('tools').value.split(',').map((name) => name.trim()).filter(Boolean);
    return tools.length ? tools : undefined;
  }

  async function send() {
    const input = $('input').value.trim();
    if (!input || state.follower) return;
    localStorage.setItem('eryao.model', $('model').value);
    localStorage.setItem('eryao.tools', $('tools').value.trim());
    await ensureSession(input);
    setBusy(true);
    try {
      const taskId = await startRun({ input, llm_id: $('model').value || undefined, tools: toolsChosen() });
      $('input').value = '';
      bubble('user', input);
      follow(taskId, bubble('assistant', ''));
    } catch (e) {
      setBusy(false);
      if (e.status === 402) {
        throw new ApiError(402, `${e.message} — an administrator can grant points to ${claims(state.token).sub}`
          + ' (POST /v1/admin/points/grants; locally, see the README\'s chat page section)');
      }
      throw e;
    }
  }

  async function stop() {
    if (!state.follower) return;
    $('stop').disabled = true;
    setRunStatus(`run ${state.follower.taskId}: stopping…`, 'stopping', state.follower.taskId);
    try {
      await call('POST', `/v1/agent/runs/${state.follower.taskId}/cancel`);
    } catch (e) {
      if (e.status !== 409) throw e; // 409: it had finished already; its stream says how
    }
  }

  async function regenerate(item, message) {
    setBusy(true);
    try {
      const accepted = await call('POST', `/v1/agent/runs/${message.run_id}/regenerate`,
        { llm_id: $('model').value || undefined }, { 'Idempotency-Key': uuid() });
      // The new answer takes the old one's place on the branch; a failed question keeps its place.
      const answer = message.role === 'assistant' ? item : bubble('assistant', '');
      answer.querySelector('.content').textContent = '';
      answer.querySelector('.steps')?.remove();
      answer.querySelectorAll('.meta button').forEach((b) => b.remove());
      follow(accepted.task_id, answer);
    } catch (e) {
      setBusy(false);
      throw e;
    }
  }

  function startEdit(item, message) {
    const content = item.querySelector('.content');
    const editor = document.createElement('textarea');
    editor.value = message.content;
    editor.rows = 3;
    content.replaceWith(editor);
    item.querySelectorAll('.meta button').forEach((b) => b.remove());
    actionButton(item, 'Send edit', () => sendEdit(item, message, editor.value.trim()));
    actionButton(item, 'Cancel', () => showMessages());
    editor.focus();
  }

  /** The edited question as a new run that replaces the old one (its sibling): the branch goes on from it. */
  async function sendEdit(item, message, input) {
    if (!input) return;
    setBusy(true);
    try {
      const taskId = await startRun({
        input, llm_id: $('model').value || undefined, edits_message_id: message.id, tools: toolsChosen(),
      });
      while (item.nextSibling) item.nextSibling.remove();
      item.remove();
      bubble('user', input);
      follow(taskId, bubble('assistant', ''));
    } catch (e) {
      setBusy(false);
      throw e;
    }
  }

  // ---- following a run ----------------------------------------------------------------------

  /**
   * Shows a run's answer as it is written, its tool calls and their results above it. What is shown
   * is the latest attempt's events in order (pieces of text, tool calls, tool results: one sequence):
   * an event already shown (a stream reopened from the start) is skipped, and a new attempt (or a
   * `restart` event: a retry, or a parked run resumed, which replays its calls) starts afresh, so the
   * page never shows an answer or a call twice. A run parked for its owner (`requires_approval`)
   * shows each pending call with Approve and Deny; the stream stays open and follows it on.
   */
  function follow(taskId, item) {
    stopFollowing();
    const follower = { taskId, item, attempt: 0, next: 0, text: '', stream: null, reopens: 0, done: false };
    state.follower = follower;
    setBusy(true);
    markRun(item, 'queued', false);
    setRunStatus(`run ${taskId}: queued`, 'queued', taskId);
    refreshPointsLater(); // what the run holds shows at once
    const handlers = {
      delta(piece) {
        if (!fresh(piece)) return;
        follower.text += piece.text;
        show();
      },
      tool_call(event) {
        if (fresh(event)) stepOf(item, event.id, event.tool, event.arguments);
      },
      tool_result(event) {
        if (fresh(event)) showResult(stepOf(item, event.id, event.tool), event.result, event.error);
      },
      restart(event) {
        restart(event.attempt);
        show();
      },
      status(run) {
        follower.reopens = 0;
        state.runStatus.set(taskId, run.status);
        markRun(item, run.status, run.status === 'cancelled');
        for (const pending of run.pending_calls || []) showPending(item, taskId, pending);
        const asked = run.status === 'requires_approval' ? ' — approve or deny the call above' : '';
        setRunStatus(`run ${taskId}: ${run.status}${run.error ? ` (${run.error})` : ''}${asked}`, run.status, taskId);
        refreshPointsLater();
        if (FINISHED.has(run.status)) finish(run);
      },
      ended() {
        if (!follower.done) reopen();
      },
      failed(error) {
        if (follower.done) return;
        if (error.status === 0 || error.status >= 500) {
          reopen();
        } else {
          follower.done = true;
          showError(error);
          done();
        }
      },
    };

    /** Whether an event of the sequence is new here (and so to be shown); a later attempt starts afresh. */
    function fresh(event) {
      if (event.attempt < follower.attempt) return false;
      if (event.attempt > follower.attempt) restart(event.attempt);
      if (event.index < follower.next) return false;
      follower.next = event.index + 1;
      follower.reopens = 0;
      return true;
    }

    function restart(attempt) {
      follower.attempt = attempt;
      follower.next = 0;
      follower.text = '';
      item.querySelector('.steps')?.remove();
    }

    function show() {
      item.querySelector('.content').textContent = follower.text;
    }

    function finish(run) {
      follower.done = true;
      if (run.output !== null && run.output !== undefined) item.querySelector('.content').textContent = run.output;
      done();
      if (state.session) showMessages().catch(showError); // the stored branch, with its ids
    }

    function done() {
      if (follower.stream) follower.stream.close();
      if (state.follower === follower) state.follower = null;
      setBusy(false);
    }

    /** The stream ended before the run did (a dropped connection, an expired ticket): open it again. */
    function reopen() {
      if (follower.done || state.follower !== follower) return;
      if (follower.stream) follower.stream.close();
      if (++follower.reopens > MAX_REOPENS) {
        follower.done = true;
        showError(`the stream of run ${taskId} keeps ending; reload the session to see where it stands`);
        done();
        return;
      }
      setTimeout(() => open(), REOPEN_DELAY_MS);
    }

    async function open() {
      if (follower.done || state.follower !== follower) return;
      try {
        follower.stream = await openStream(`/v1/agent/runs/${taskId}/events`, handlers);
        if (follower.done || state.follower !== follower) follower.stream.close();
      } catch (e) {
        handlers.failed(e);
      }
    }

    open();
  }

  function stopFollowing() {
    const follower = state.follower;
    if (!follower) return;
    follower.done = true;
    if (follower.stream) follower.stream.close();
    state.follower = null;
  }

  /**
   * Opens a run's (or session's) event stream the way a browser should: ask for a short-lived
   * ticket (POST on the events URL, with the bearer token) and open its URL with a plain
   * EventSource, which cannot send a token. An API without tickets (the POST answers 404 or 405)
   * is read with fetch() instead, which can send the token.
   */
  async function openStream(path, handlers) {
    let response;
    try {
      response = await fetch(state.api + path, { method: 'POST', headers: { Authorization: `Bearer ${state.token}` } });
    } catch (e) {
      throw unreachable(e);
    }
    if (response.status === 404 || response.status === 405) return fetchStream(state.api + path, handlers);
    if (!response.ok) throw await problem(response);
    const ticket = await response.json();
    return eventSourceStream(new URL(ticket.url, state.api).href, handlers);
  }

  const EVENTS = ['delta', 'tool_call', 'tool_result', 'status', 'restart'];

  function dispatch(handlers, type, data) {
    if (!EVENTS.includes(type)) return;
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch (ignored) {
      return;
    }
    handlers[type](parsed);
  }

  function eventSourceStream(url, handlers) {
    document.body.dataset.stream = 'eventsource';
    const source = new EventSource(url);
    for (const type of EVENTS) {
      source.addEventListener(type, (event) => dispatch(handlers, type, event.data));
    }
    // EventSource reconnects by itself (after the server's retry:) and stops for good on a 204 or
    // an error status; only then is it ours to reopen, with a new ticket, if the run goes on.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) handlers.ended();
    };
    return { close: () => source.close() };
  }

  /** Server-sent events read with fetch(): the fallback for an API that has no stream tickets. */
  function fetchStream(url, handlers) {
    document.body.dataset.stream = 'fetch';
    const controller = new AbortController();
    (async () => {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (response.status === 204) return handlers.ended();
      if (!response.ok) return handlers.failed(await problem(response));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let type = 'message';
      let data = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop(); // the last line may not be whole yet
        for (const line of lines) {
          if (line === '') {
            if (data.length) dispatch(handlers, type, data.join('\n'));
            type = 'message';
            data = [];
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') type = text;
            else if (field === 'data') data.push(text);
          }
        }
      }
      handlers.ended();
    })().catch((e) => {
      if (!controller.signal.aborted) handlers.failed(e instanceof ApiError ? e : unreachable(e));
    });
    return { close: () => controller.abort() };
  }

  // ---- wiring -------------------------------------------------------------------------------

  function start() {
    const named = new URLSearchParams(location.search).get('api');
    state.api = (named || sessionStorage.getItem('eryao.api') || location.origin).replace(/\/+$/, '');
    $('api-base').value = state.api;
    $('tools').value = localStorage.getItem('eryao.tools') || '';
    $('api-base').addEventListener('change', () => {
      state.api = $('api-base').value.trim().replace(/\/+$/, '');
      offerLocalToken();
    });
    $('sign-in-form').addEventListener('submit', guarded(() => signIn($('token-input').value)));
    $('local-token').addEventListener('click', guarded(localToken));
    $('sign-out').addEventListener('click', () => signOut(true));
    $('new-session').addEventListener('click', newChat);
    $('composer').addEventListener('submit', guarded(send));
    $('input').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        $('composer').requestSubmit();
      }
    });
    $('stop').addEventListener('click', guarded(stop));
    offerLocalToken();
    const kept = sessionStorage.getItem('eryao.token');
    if (kept) guarded(() => signIn(kept))();
    document.body.dataset.ready = 'true';
  }

  start();
})();
