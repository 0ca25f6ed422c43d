// The workbench's SPARQL editor: CodeMirror 6 over the page's <textarea>, which stays the form's
// field (kept in sync, so the form submits as without JavaScript). Bundled into one file by
// scripts/build-editor.sh; workbench.js loads it and calls window.sugraphEditor(textarea, vocabulary).
//
// The editor lives in a shadow root: there CodeMirror's styles go into a constructed stylesheet
// (adoptedStyleSheets), which the page's Content-Security-Policy (style-src 'self') allows, where
// the <style> element it adds to a document's <head> would be refused.

import { EditorState, Prec } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage,
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  startCompletion,
} from "@codemirror/autocomplete";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

const KEYWORDS = [
  "SELECT", "DISTINCT", "REDUCED", "WHERE", "PREFIX", "BASE", "ASK", "CONSTRUCT", "DESCRIBE", "FROM", "NAMED",
  "GRAPH", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "GROUP BY", "HAVING", "ORDER BY", "LIMIT",
  "OFFSET", "EXISTS", "NOT EXISTS", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "LANG",
  "LANGMATCHES", "STR", "STRSTARTS", "CONTAINS", "REGEX", "YEAR", "DATATYPE", "COALESCE", "IF", "ASC", "DESC",
];
const SEARCH_LIMIT = 10;

/** `actor:nato` for an IRI in a known namespace (the longest that fits), else `<iri>`. */
function compact(iri, prefixes) {
  let best = null;
  for (const [name, base] of Object.entries(prefixes)) {
    const local = iri.slice(base.length);
    if (iri.startsWith(base) && /^[\w.-]+$/.test(local) && (!best || base.length > best.base.length)) {
      best = { name, base, local };
    }
  }
  return best ? `${best.name}:${best.local}` : `<${iri}>`;
}

/** The declared prefixes of the query text. */
function declared(text) {
  return new Set([...text.matchAll(/^\s*PREFIX\s+([\w.-]*):/gim)].map((m) => m[1]));
}

/** A completion that inserts a prefixed name, and its PREFIX line when the query lacks it. */
function prefixed(name, prefixes, extra) {
  const prefix = name.startsWith("<") ? null : name.slice(0, name.indexOf(":"));
  return {
    label: name,
    ...extra,
    apply(view, completion, from, to) {
      const changes = [{ from, to, insert: name }];
      const text = view.state.doc.toString();
      if (prefix !== null && prefixes[prefix] && !declared(text).has(prefix)) {
        const last = [...text.matchAll(/^\s*PREFIX\s[^\n]*\n/gim)].pop();
        const at = last ? last.index + last[0].length : 0;
        changes.push({ from: at, insert: `PREFIX ${prefix}: <${prefixes[prefix]}>\n` });
      }
      view.dispatch({ changes, selection: { anchor: view.state.changes(changes).mapPos(to, 1) } });
      if (name.endsWith(":")) startCompletion(view); // a prefix alone: now its terms
    },
  };
}

/** Completion of prefixes, ontology terms, variables and keywords, and of entities by label. */
function sparqlCompletion(vocabulary) {
  const { prefixes, terms } = vocabulary;
  const termOptions = terms.map((t) =>
    prefixed(t.name, prefixes, {
      type: t.kind,
      detail: t.label === t.name ? undefined : t.label,
      info: t.description || undefined,
    }),
  );
  return async (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const declaration = /^\s*PREFIX\s+([\w.-]*)$/i.exec(before);
    if (declaration) {
      const taken = declared(context.state.doc.toString());
      return {
        from: context.pos - declaration[1].length,
        options: Object.entries(prefixes)
          .filter(([name]) => !taken.has(name))
          .map(([name, iri]) => ({ label: `${name}: <${iri}>`, type: "namespace" })),
      };
    }
    const variable = context.matchBefore(/\?\w*/);
    if (variable) {
      const names = new Set([...context.state.doc.toString().matchAll(/\?(\w+)/g)].map((m) => m[1]));
      names.delete(variable.text.slice(1));
      return { from: variable.from, options: [...names].map((n) => ({ label: `?${n}`, type: "variable" })) };
    }
    const name = context.matchBefore(/[\w-]+:[\w.-]*/);
    if (name) {
      return { from: name.from, options: termOptions, validFor: /^[\w-]+:[\w.-]*$/ };
    }
    const word = context.matchBefore(/[\p{L}\p{N}_-]+/u);
    if (!word || (word.text.length < 2 && !context.explicit)) return null;
    const options = [
      ...KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
      ...Object.entries(prefixes).map(([p, iri]) => prefixed(`${p}:`, prefixes, { type: "namespace", detail: iri })),
      ...termOptions.map((o) => ({ ...o, label: o.label.slice(o.label.indexOf(":") + 1), displayLabel: o.label })),
      ...(await entities(word.text, prefixes, context)),
    ];
    return { from: word.from, options };
  };
}

/** The graph's entities the site's search finds for the word, inserted as prefixed names. */
async function entities(word, prefixes, context) {
  let hits = [];
  try {
    const response = await fetch(`/search.json?${new URLSearchParams({ q: word, limit: SEARCH_LIMIT })}`);
    if (response.ok) hits = (await response.json()).results;
  } catch {
    return []; // offline or stopped: the other completions still come
  }
  if (context.aborted) return [];
  const lang = document.documentElement.lang;
  return hits.map((hit, rank) => {
    const name = compact(hit.iri, prefixes);
    const label = hit.label[lang] || Object.values(hit.label)[0] || hit.iri;
    // Offered under the label the search matched (an acronym, say), so the typed word filters it in.
    return prefixed(name, prefixes, {
      label: hit.matched || label,
      detail: hit.matched && hit.matched !== label ? `${label} · ${name}` : name,
      type: "entity",
      boost: SEARCH_LIMIT - rank,
    });
  });
}

const theme = EditorView.theme({
  "&": {
    border: "1px solid var(--line, #d5dbe3)",
    borderRadius: "4px",
    background: "var(--paper, #fff)",
    color: "var(--ink, #1b1f24)",
    fontSize: "0.92rem",
  },
  "&.cm-focused": { outline: "3px solid var(--focus, #ffbf47)", outlineOffset: "1px" },
  ".cm-scroller": {
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    lineHeight: "1.4",
    minHeight: "16rem",
  },
  ".cm-gutters": { background: "var(--wash, #f3f5f8)", borderRight: "1px solid var(--line, #d5dbe3)" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { background: "var(--brand, #003399)", color: "#fff" },
});

/** The textarea's label and error as attributes of the editor: ids do not reach into a shadow root. */
function accessibleName(textarea) {
  const label = textarea.labels[0];
  const attributes = { "aria-label": label ? label.textContent.trim() : "SPARQL" };
  const error = document.getElementById(textarea.getAttribute("aria-describedby") || "");
  if (error) Object.assign(attributes, { "aria-invalid": "true", "aria-description": error.innerText.trim() });
  return attributes;
}

/** Replace the textarea by an editor that keeps it up to date; Ctrl/Cmd+Enter submits its form. */
function sugraphEditor(textarea, vocabulary) {
  const host = document.createElement("div");
  host.className = "sparql-editor";
  textarea.after(host);
  textarea.hidden = true;
  const root = host.attachShadow({ mode: "open" });
  const label = textarea.labels[0];
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (textarea.form.requestSubmit(), true) }])),
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion({ override: [sparqlCompletion(vocabulary)], icons: false }),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        EditorView.contentAttributes.of(accessibleName(textarea)),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
        theme,
      ],
    }),
  });
  if (label) label.addEventListener("click", () => view.focus());
  return view;
}

window.sugraphEditor = sugraphEditor;
