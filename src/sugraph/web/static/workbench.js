// Progressive enhancement of the workbench (the page works without it):
// - Ctrl+Enter (or Cmd+Enter) in a query textarea submits its form;
// - the SPARQL editor (static/vendor/editor.bundle.js, CodeMirror 6) replaces the textarea, with
//   completion from /workbench/terms.json (prefixes, ontology terms) and /search.json (entities);
// - the last queries run are kept in this browser (localStorage), listed to open one again.
const HISTORY_KEY = "sugraph.workbench.history";
const HISTORY_SIZE = 20;

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target instanceof HTMLTextAreaElement && target.form) {
    event.preventDefault();
    target.form.requestSubmit();
  }
});

function readHistory() {
  try {
    const entries = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(entries) ? entries.filter((e) => typeof e.query === "string") : [];
  } catch {
    return []; // storage refused (private mode) or damaged: no history
  }
}

function remember(query) {
  const entries = [{ query, at: new Date().toISOString() }, ...readHistory().filter((e) => e.query !== query)];
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(entries.slice(0, HISTORY_SIZE)));
  } catch {
    // full or refused: the query still runs
  }
}

/** A one-line summary of a query: its text without PREFIX lines, spaces collapsed, cut short. */
function summary(query) {
  const body = query.replace(/^\s*PREFIX\s[^\n]*\n/gim, "").replace(/\s+/g, " ").trim();
  return body.length > 110 ? `${body.slice(0, 109)}…` : body;
}

function showHistory(form, words) {
  const entries = readHistory();
  if (!entries.length) return;
  const details = document.createElement("details");
  details.className = "query-history";
  const heading = document.createElement("summary");
  heading.textContent = `${words.history} (${entries.length})`;
  const list = document.createElement("ol");
  const lang = document.documentElement.lang;
  for (const entry of entries) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/workbench?${new URLSearchParams({ query: entry.query })}`;
    link.textContent = summary(entry.query);
    link.title = entry.query;
    const when = document.createElement("time");
    when.dateTime = entry.at;
    when.textContent = new Date(entry.at).toLocaleString(lang);
    item.append(link, " ", when);
    list.append(item);
  }
  const clear = document.createElement("button");
  clear.type = "button";
  clear.textContent = words.clear;
  clear.addEventListener("click", () => {
    localStorage.removeItem(HISTORY_KEY);
    details.remove();
  });
  details.append(heading, list, clear);
  form.after(details);
}

function loadEditor() {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/static/vendor/editor.bundle.js";
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
}

async function enhance() {
  const form = document.querySelector("form.editor");
  const textarea = form && form.querySelector("textarea[name=query]");
  if (!textarea) return;
  form.addEventListener("submit", () => {
    if (textarea.value.trim()) remember(textarea.value);
  });
  const lang = document.documentElement.lang;
  const editor = loadEditor();
  const answer = await fetch(`/workbench/terms.json?${new URLSearchParams({ lang })}`);
  if (!answer.ok) return;
  const vocabulary = await answer.json();
  showHistory(form, vocabulary.words);
  await editor;
  window.sugraphEditor(textarea, vocabulary);
}

enhance().catch(() => {}); // the textarea stays as it is
