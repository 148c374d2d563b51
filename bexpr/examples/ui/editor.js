// The filter editor: diagnostics and completions from the server as you
// type, and the list endpoint's pages of results.
//
// - Typing waits for a pause (DEBOUNCE_MS) before asking /v1/filter/check;
//   a filter without errors then runs at once on the list endpoint. Enter
//   (with no completion chosen) or the Run button runs the filter now,
//   whatever the check says: the server's own error is shown then.
// - Completions open after a letter, digit, "_", ".", "(" or a space is
//   typed, and on Ctrl+Space or Down Arrow; the input is an ARIA 1.2
//   combobox over a listbox.
// - Each kind of request (check, completion, page) aborts the previous one
//   of its kind, and an answer that is not the latest's is dropped, so an
//   answer about older text never overwrites one about newer text.
// - Nothing from the server or the user is parsed as HTML: textContent and
//   createElement only.

import { checkFilter, completeFilter, isAbort, listPage } from "./api.js";
import { renderTable } from "./results.js";
import { codePoints, sliceCodePoints, toCodePoints, toUtf16 } from "./text.js";

const DEBOUNCE_MS = 150;

// Typing one of these may begin something the server can complete: a
// selector (or its next segment), a keyword or operator after a space.
const TRIGGER = /^[\p{L}\p{N}_.(\s]$/u;

const HELP_ID = "filter-help";

const byId = (id) => document.getElementById(id);
const form = byId("query");
const resourceSelect = byId("resource");
const perPageInput = byId("per-page");
const input = byId("filter");
const mirror = byId("filter-mirror");
const listbox = byId("filter-options");
const diagnosticsList = byId("diagnostics");
const canonicalOutput = byId("canonical");
const statusLine = byId("result-status");
const errorBox = byId("result-error");
const results = byId("results");
const prevButton = byId("prev");
const nextButton = byId("next");
const pageNumber = byId("page-number");

/**
 * The latest request of one kind: starting one aborts the one before, and
 * only the latest ticket is current when its answer comes.
 */
class Latest {
  constructor() {
    this.generation = 0;
    this.controller = null;
  }

  start() {
    this.cancel();
    this.controller = new AbortController();
    return { generation: this.generation, signal: this.controller.signal };
  }

  isCurrent(ticket) {
    return ticket.generation === this.generation;
  }

  cancel() {
    this.controller?.abort();
    this.controller = null;
    this.generation += 1;
  }
}

const checks = new Latest();
const completions = new Latest();
const pages = new Latest();

const state = {
  timer: 0,
  // Whether the pending pause should also ask for completions.
  completeAfterPause: false,
  // The latest check answered: {text, resource, canonical}.
  checked: null,
  // The completions listed, the text and cursor (code points) they are for,
  // and the index of the active one (-1: none).
  options: [],
  optionsFor: null,
  active: -1,
  // The key of the query last started (null: none wanted), and the page
  // shown: {query, token, stack, next}; `stack` holds the tokens of the
  // pages before it (null for the first).
  wanted: null,
  shown: null,
};

// Diagnostics

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** The same text as the input, with a mark under each diagnostic's span. */
function renderMirror(text, diagnostics) {
  const chars = codePoints(text);
  const clamp = (offset) => Math.max(0, Math.min(chars.length, offset));
  const spans = diagnostics.map((diagnostic) => ({
    start: clamp(diagnostic.start),
    end: clamp(Math.max(diagnostic.start, diagnostic.end)),
    severity: diagnostic.severity === "error" ? "error" : "warning",
  }));
  const cuts = new Set([0, chars.length]);
  for (const span of spans) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const offsets = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  offsets.forEach((offset, index) => {
    // A problem at a point (an expected token at the end, say): a wedge.
    const points = spans.filter((span) => span.start === span.end && span.start === offset);
    if (points.length > 0) {
      const severity = points.some((span) => span.severity === "error") ? "error" : "warning";
      nodes.push(element("mark", `point ${severity}`, ""));
    }
    const next = offsets[index + 1];
    if (next === undefined) {
      return;
    }
    const piece = chars.slice(offset, next).join("");
    // Spans may overlap: each piece is marked by the worst span over it.
    const over = spans.filter((span) => span.start <= offset && next <= span.end);
    if (over.length === 0) {
      nodes.push(document.createTextNode(piece));
    } else {
      const severity = over.some((span) => span.severity === "error") ? "error" : "warning";
      nodes.push(element("mark", severity, piece));
    }
  });
  // Room after the last character, as the input has for its caret.
  nodes.push(document.createTextNode(" "));
  mirror.replaceChildren(...nodes);
  syncScroll();
}

function syncScroll() {
  mirror.scrollLeft = input.scrollLeft;
}

function where(diagnostic) {
  const start = diagnostic.start + 1;
  return diagnostic.end - diagnostic.start > 1
    ? `(columns ${start}–${diagnostic.end})`
    : `(column ${start})`;
}

/** The list under the input, the underlines, and the input's ARIA state. */
function renderDiagnostics(text, diagnostics) {
  const items = diagnostics.map((diagnostic, index) => {
    const item = element("li", diagnostic.severity === "error" ? "error" : "warning");
    item.id = `diagnostic-${index}`;
    const label = diagnostic.severity === "error" ? "Error: " : "Warning: ";
    item.append(element("span", "severity", label), element("span", "message", diagnostic.message));
    if (diagnostic.hint) {
      item.append(" — ", element("span", "hint", diagnostic.hint));
    }
    item.append(" ", element("span", "where", where(diagnostic)));
    return item;
  });
  diagnosticsList.replaceChildren(...items);
  renderMirror(text, diagnostics);
  // The problems first: they are what a screen reader user needs to hear.
  input.setAttribute("aria-describedby", [...items.map((item) => item.id), HELP_ID].join(" "));
  if (diagnostics.some((diagnostic) => diagnostic.severity === "error")) {
    input.setAttribute("aria-invalid", "true");
  } else {
    input.removeAttribute("aria-invalid");
  }
}

function renderCanonical(text, canonical) {
  if (text.trim() === "") {
    canonicalOutput.textContent = "none: every record is listed";
    canonicalOutput.classList.add("none");
  } else if (canonical === null) {
    canonicalOutput.textContent = "none while the filter has errors";
    canonicalOutput.classList.add("none");
  } else {
    canonicalOutput.textContent = canonical;
    canonicalOutput.classList.remove("none");
  }
}

/** Ask for the diagnostics of the filter; with `andRun`, run it if valid. */
async function runCheck({ andRun }) {
  const text = input.value;
  const resource = resourceSelect.value;
  const ticket = checks.start();
  let answer;
  if (text.trim() === "") {
    // No filter: every record. (To the server, the empty text is an empty
    // expression, a syntax error; the list endpoints just leave it out.)
    answer = { diagnostics: [], canonical: null };
  } else {
    try {
      answer = await checkFilter(resource, text, ticket.signal);
    } catch (error) {
      if (isAbort(error) || !checks.isCurrent(ticket)) {
        return;
      }
      answer = {
        diagnostics: [
          {
            severity: "error",
            message: `the filter could not be checked: ${error.message}`,
            start: 0,
            end: 0,
            hint: null,
          },
        ],
        canonical: null,
      };
    }
    // Stale: newer text (or another resource) has its own check coming.
    if (!checks.isCurrent(ticket) || input.value !== text || resourceSelect.value !== resource) {
      return;
    }
  }
  state.checked = { text, resource, canonical: answer.canonical };
  renderDiagnostics(text, answer.diagnostics);
  renderCanonical(text, answer.canonical);
  if (!andRun) {
    return;
  }
  if (text.trim() === "" || answer.canonical !== null) {
    const query = currentQuery();
    if (query.key !== state.wanted) {
      runQuery({ query });
    }
  } else {
    showInvalid();
  }
}

// Completions

function isOpen() {
  return input.getAttribute("aria-expanded") === "true";
}

function closeList() {
  completions.cancel();
  state.options = [];
  state.optionsFor = null;
  state.active = -1;
  listbox.hidden = true;
  listbox.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
}

const measure = document.createElement("canvas").getContext("2d");

/** Put the list under the start of the text it would replace. */
function placeList(text, start) {
  const style = getComputedStyle(input);
  measure.font = style.font;
  const prefix = text.slice(0, toUtf16(text, start));
  const x =
    parseFloat(style.borderLeftWidth) +
    parseFloat(style.paddingLeft) +
    measure.measureText(prefix).width -
    input.scrollLeft;
  const room = input.offsetWidth - listbox.offsetWidth;
  listbox.style.left = `${Math.max(0, Math.min(x, room))}px`;
}

function openList(options, text, cursor) {
  state.options = options;
  state.optionsFor = { text, cursor };
  state.active = -1;
  const items = options.map((option, index) => {
    const item = element("li");
    item.id = `filter-option-${index}`;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    const label = [option.text, option.kind, option.detail].filter(Boolean).join(", ");
    item.setAttribute("aria-label", label);
    item.append(element("span", "text", option.text), element("span", "kind", option.kind));
    if (option.detail) {
      item.append(element("span", "detail", option.detail));
    }
    return item;
  });
  listbox.replaceChildren(...items);
  listbox.hidden = false;
  input.setAttribute("aria-expanded", "true");
  input.removeAttribute("aria-activedescendant");
  placeList(text, options[0].start);
}

function setActive(index) {
  const items = listbox.children;
  items[state.active]?.setAttribute("aria-selected", "false");
  state.active = index;
  const item = items[index];
  if (item) {
    item.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  } else {
    input.removeAttribute("aria-activedescendant");
  }
}

/** Ask what may be typed at the caret; open the list if anything may. */
async function runComplete() {
  const text = input.value;
  const resource = resourceSelect.value;
  const caret = input.selectionStart ?? text.length;
  const cursor = toCodePoints(text, caret);
  const ticket = completions.start();
  let found;
  try {
    found = await completeFilter(resource, text, cursor, ticket.signal);
  } catch (error) {
    if (!isAbort(error) && completions.isCurrent(ticket)) {
      closeList();
    }
    return;
  }
  const moved =
    input.value !== text || input.selectionStart !== caret || resourceSelect.value !== resource;
  if (!completions.isCurrent(ticket) || moved || document.activeElement !== input) {
    return;
  }
  // An option that only repeats what is typed there would complete nothing.
  const options = found.filter(
    (option) => sliceCodePoints(text, option.start, option.end) !== option.text,
  );
  if (options.length === 0) {
    closeList();
    return;
  }
  openList(options, text, cursor);
}

/** Replace the option's span with its text, the caret after it. */
function accept(index) {
  const option = state.options[index];
  const listed = state.optionsFor;
  const text = input.value;
  let end = option.end;
  if (text !== listed.text) {
    // Typed on since the list came (its refresh is on the way): the
    // completion still applies if the text before its span is unchanged,
    // and then replaces up to the caret.
    const caret = toCodePoints(text, input.selectionStart ?? text.length);
    const unchanged =
      sliceCodePoints(text, 0, option.start) === sliceCodePoints(listed.text, 0, option.start);
    if (!unchanged || caret < option.start) {
      closeList();
      schedule({ complete: true });
      return;
    }
    end = Math.min(codePoints(text).length, caret + Math.max(0, option.end - listed.cursor));
  }
  input.setRangeText(option.text, toUtf16(text, option.start), toUtf16(text, end), "end");
  closeList();
  renderMirror(input.value, []);
  schedule({ complete: false });
}

// Running the filter

function currentQuery() {
  const resource = resourceSelect.value;
  const text = input.value;
  const filter = text.trim() === "" ? null : text;
  const perPage = perPageInput.value.trim() || null;
  // Filters with the same canonical form are the same query: reformatting
  // one keeps the page shown.
  const checked = state.checked;
  const same = checked && checked.text === text && checked.resource === resource;
  const canonical = same && checked.canonical !== null ? checked.canonical : filter;
  const key = JSON.stringify([resource, perPage, canonical]);
  return { resource, filter, perPage, key };
}

function noun(resource, count) {
  return count === 1 ? resource.replace(/s$/, "") : resource;
}

function setStatus(text) {
  if (statusLine.textContent !== text) {
    statusLine.textContent = text;
  }
}

function setPager(previous, next) {
  prevButton.setAttribute("aria-disabled", String(!previous));
  nextButton.setAttribute("aria-disabled", String(!next));
}

function showPage(query, records, number, next) {
  errorBox.hidden = true;
  errorBox.replaceChildren();
  const perPage = query.perPage ? `${query.perPage} per page` : "all on one page";
  const rest = next ? "; more on the next page" : number > 1 ? "; the last page" : "";
  if (records.length === 0) {
    results.replaceChildren(element("p", "empty", `No ${query.resource} match this filter.`));
  } else {
    const caption = `${query.resource}, page ${number} (${perPage})`;
    results.replaceChildren(renderTable(query.resource, records, caption));
  }
  pageNumber.textContent = `Page ${number}`;
  const count = `${records.length} ${noun(query.resource, records.length)}`;
  setStatus(`Page ${number}: ${count} (${perPage})${rest}.`);
  setPager(number > 1, next !== null);
}

function showListError(error) {
  results.replaceChildren();
  const heading = error.status
    ? `The server refused the filter (HTTP ${error.status}): `
    : "The results could not be fetched: ";
  errorBox.replaceChildren(element("strong", null, heading), element("span", "message", error.message));
  const excerpt = error.body?.excerpt;
  if (typeof excerpt === "string") {
    errorBox.append(element("pre", null, excerpt));
  }
  errorBox.hidden = false;
  pageNumber.textContent = "";
  setStatus(`No results: ${error.message}`);
  setPager(false, false);
}

/** No results while the filter has errors: the table would belong to another filter. */
function showInvalid() {
  pages.cancel();
  state.wanted = null;
  state.shown = null;
  results.removeAttribute("aria-busy");
  results.replaceChildren();
  errorBox.hidden = true;
  errorBox.replaceChildren();
  pageNumber.textContent = "";
  setStatus("No results while the filter has errors.");
  setPager(false, false);
}

/** Fetch and show one page of `query`: the page starting at `token`. */
async function runQuery({ query, token = null, stack = [] }) {
  const ticket = pages.start();
  state.wanted = query.key;
  results.setAttribute("aria-busy", "true");
  let page;
  try {
    page = await listPage(
      query.resource,
      { filter: query.filter, perPage: query.perPage, nextToken: token },
      ticket.signal,
    );
  } catch (error) {
    if (isAbort(error) || !pages.isCurrent(ticket)) {
      return;
    }
    results.removeAttribute("aria-busy");
    state.shown = null;
    showListError(error);
    return;
  }
  if (!pages.isCurrent(ticket)) {
    return;
  }
  results.removeAttribute("aria-busy");
  state.shown = { query, token, stack, next: page.nextToken };
  showPage(query, page.records, stack.length + 1, page.nextToken);
}

/** Enter or Run: check the filter and run it now, valid or not. */
async function runNow() {
  clearTimeout(state.timer);
  state.timer = 0;
  closeList();
  await runCheck({ andRun: false });
  runQuery({ query: currentQuery() });
}

function schedule({ complete }) {
  // The latest keystroke decides whether completions are wanted.
  state.completeAfterPause = complete;
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    state.timer = 0;
    runCheck({ andRun: true });
    if (state.completeAfterPause) {
      runComplete();
    }
  }, DEBOUNCE_MS);
}

// Events

input.addEventListener("input", (event) => {
  // The underlines belong to the old text: gone until the next check.
  renderMirror(input.value, []);
  const caret = input.selectionStart ?? input.value.length;
  const last = codePoints(input.value.slice(0, caret)).at(-1) ?? "";
  const kind = event.inputType ?? "";
  // Typed (not pasted or dropped: there is nothing to complete in the middle of that).
  const typed = kind === "insertText" || kind === "insertCompositionText";
  let complete = false;
  if (typed && TRIGGER.test(last)) {
    complete = true;
  } else if (kind.startsWith("delete") && isOpen() && input.value !== "") {
    complete = true; // the list follows the text back
  } else {
    closeList();
  }
  schedule({ complete });
});

input.addEventListener("keydown", (event) => {
  if (event.isComposing) {
    return;
  }
  if (event.ctrlKey && (event.key === " " || event.code === "Space")) {
    event.preventDefault();
    clearTimeout(state.timer);
    state.timer = 0;
    runCheck({ andRun: true });
    runComplete();
    return;
  }
  const open = isOpen();
  switch (event.key) {
    case "ArrowDown":
      event.preventDefault();
      if (!open) {
        runComplete();
      } else {
        setActive(state.active + 1 >= state.options.length ? 0 : state.active + 1);
      }
      break;
    case "ArrowUp":
      if (open) {
        event.preventDefault();
        setActive(state.active <= 0 ? state.options.length - 1 : state.active - 1);
      }
      break;
    case "Enter":
      if (open && state.active >= 0) {
        event.preventDefault(); // accepting is not submitting
        accept(state.active);
      } else if (open) {
        closeList(); // and the form is submitted: the filter runs
      }
      break;
    case "Tab":
      // Only with an option chosen: otherwise Tab moves on, as ever.
      if (open && state.active >= 0 && !event.shiftKey) {
        event.preventDefault();
        accept(state.active);
      } else if (open) {
        closeList();
      }
      break;
    case "Escape":
      if (open) {
        event.preventDefault();
        closeList();
      }
      break;
    case "ArrowLeft":
    case "ArrowRight":
    case "Home":
    case "End":
      // The caret leaves the text the options are for.
      if (open) {
        closeList();
      }
      break;
    default:
      break;
  }
});

input.addEventListener("blur", closeList);
input.addEventListener("click", () => {
  closeList();
  syncScroll();
});
for (const name of ["scroll", "keyup", "select", "focus"]) {
  input.addEventListener(name, syncScroll);
}

// The input keeps the focus while an option is clicked.
listbox.addEventListener("mousedown", (event) => event.preventDefault());
listbox.addEventListener("click", (event) => {
  const item = event.target.closest("[role=option]");
  if (item) {
    accept([...listbox.children].indexOf(item));
  }
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  runNow();
});

resourceSelect.addEventListener("change", () => {
  // Another schema: check again at once; the results are another resource's.
  closeList();
  clearTimeout(state.timer);
  state.timer = 0;
  runCheck({ andRun: true });
});

perPageInput.addEventListener("input", () => schedule({ complete: false }));

nextButton.addEventListener("click", () => {
  const shown = state.shown;
  if (nextButton.getAttribute("aria-disabled") === "true" || !shown || shown.next === null) {
    return;
  }
  runQuery({ query: shown.query, token: shown.next, stack: [...shown.stack, shown.token] });
});

prevButton.addEventListener("click", () => {
  const shown = state.shown;
  if (prevButton.getAttribute("aria-disabled") === "true" || !shown || shown.stack.length === 0) {
    return;
  }
  runQuery({ query: shown.query, token: shown.stack.at(-1), stack: shown.stack.slice(0, -1) });
});

// The first page of every record, before anything is typed.
runCheck({ andRun: true });
